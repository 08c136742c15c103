/**
 * Which candidate a product runs (pure): the best separation among those within the latency budget; separations
 * that agree to the third decimal are a tie, won by the cheaper input (so the same images and seed choose the same
 * configuration even when measured latencies wobble). Nothing within budget: a clear error naming the fastest.
 */
import { candidateLabel, costRank, type SearchSpace } from './candidates.ts';
import type { CandidateFigures } from './search.ts';

export interface Choice {
  chosen: CandidateFigures;
  reason: string;
}

export function chooseCandidate(rows: CandidateFigures[], opts: { budgetMs: number; space: SearchSpace; nativeAspect: number }): Choice {
  if (rows.length === 0) throw new Error('self-tuning: no candidate configuration to try');
  const within = rows.filter((r) => r.latencyMs <= opts.budgetMs);
  if (within.length === 0) {
    const fastest = rows.reduce((a, b) => (b.latencyMs < a.latencyMs ? b : a));
    throw new Error(`self-tuning: no configuration meets the latency budget of ${opts.budgetMs} ms; the fastest, ${candidateLabel(fastest.candidate)}, ` +
      `takes ${fastest.latencyMs.toFixed(0)} ms: raise latencyBudgetMs in product.json or pin a smaller input`);
  }
  const key = (r: CandidateFigures) => Math.round(r.separation * 1000);
  const cost = (r: CandidateFigures) => costRank(r.candidate, opts.space, opts.nativeAspect);
  const sorted = [...within].sort((a, b) => key(b) - key(a) || cost(a) - cost(b) || a.candidate.topShare - b.candidate.topShare);
  const chosen = sorted[0];
  const runnerUp = sorted[1];
  const over = rows.length - within.length;
  const parts = [`best separation of synthetic defects${chosen.rejects !== null ? ' and rejects' : ''} from held-out good items (${chosen.separation.toFixed(3)})`];
  if (runnerUp) {
    parts.push(key(runnerUp) === key(chosen)
      ? `tied with ${candidateLabel(runnerUp.candidate)} and cheaper`
      : `next best ${candidateLabel(runnerUp.candidate)} ${runnerUp.separation.toFixed(3)}`);
  }
  if (over) parts.push(`${over} candidate(s) over the ${opts.budgetMs} ms budget left out`);
  return { chosen, reason: parts.join('; ') };
}
