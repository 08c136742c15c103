/**
 * Combining candidates instead of choosing one (pure): which pairs the search's evidence allows, and which one a
 * product runs. How two members' scores combine is verdict/combine.ts. On magnetic tile MobileNetV2 and InceptionV3
 * disagree on which items deviate, so the mean of the two can beat either alone.
 */
import { combineScores, goodScale, type GoodScale } from '../../verdict/combine.ts';
import { candidateLabel } from './candidates.ts';
import { defaultOf, MIN_GAIN, type ChoiceOptions } from './choose.ts';
import { separationOf, type CandidateFigures } from './search.ts';

export interface Combination {
  members: [CandidateFigures, CandidateFigures];
  /** Each member's good scale, from its held-out good scores in the search: what its other scores are put on. */
  scales: [GoodScale, GoodScale];
  label: string;
  /** As CandidateFigures.separation, of the combined scores. */
  separation: number;
  /** The members run one after the other: their costs add. */
  latencyMs: number;
}

/**
 * Every pair of candidates on different backbones whose costs together fit the budget, with the separation of
 * their combined scores on the search's own evidence (the same held-out goods, synthetic defects and rejects).
 */
export function combinations(rows: CandidateFigures[], budgetMs: number): Combination[] {
  const out: Combination[] = [];
  for (const [i, a] of rows.entries()) {
    for (const b of rows.slice(i + 1)) {
      if (a.candidate.backbone === b.candidate.backbone || a.latencyMs + b.latencyMs > budgetMs) continue;
      const members = [a, b] as [CandidateFigures, CandidateFigures];
      const scales = members.map((m) => goodScale(m.scores.good)) as [GoodScale, GoodScale];
      const of = (pick: (m: CandidateFigures) => number[]) =>
        combineScores(members.map((m, k) => ({ scores: pick(m), scale: scales[k] })));
      const good = of((m) => m.scores.good);
      const synth = of((m) => m.scores.synthetic);
      const rej = of((m) => m.scores.rejects);
      out.push({
        members,
        scales,
        label: `${candidateLabel(a.candidate)} + ${candidateLabel(b.candidate)}`,
        separation: separationOf(synth, rej, good).separation,
        latencyMs: a.latencyMs + b.latencyMs,
      });
    }
  }
  return out.sort((x, y) => y.separation - x.separation);
}

/**
 * The pair a product runs instead of its single choice, under the choosing rule with pairs among the candidates: the
 * default becomes the pair of each backbone's default (when the two fit the budget together) — on tile the evidence
 * could not tell the two backbones apart, and their pair held 0.985 where either alone gave 0.90 or 0.99 — and a
 * single candidate or another pair replaces it only when it separates the evidence better by MIN_GAIN. Null: a
 * single candidate stands (the product's own choice).
 */
export function pairChoice(rows: CandidateFigures[], pairs: Combination[], opts: ChoiceOptions): Combination | null {
  const within = rows.filter((r) => r.latencyMs <= opts.budgetMs);
  const [da, db] = opts.space.backbones.slice(0, 2).map((id) => {
    const own = within.filter((r) => r.candidate.backbone === id);
    return own.length ? defaultOf(own, opts) : undefined;
  });
  const prior = pairs.find((p) => da && db && p.members.includes(da) && p.members.includes(db));
  if (!prior) return null;
  const bestSingle = Math.max(...within.map((r) => r.separation));
  const bestPair = pairs[0];
  if (bestSingle >= prior.separation + MIN_GAIN && bestSingle >= bestPair.separation) return null;
  return bestPair.separation >= prior.separation + MIN_GAIN ? bestPair : prior;
}

/** Why a product runs this pair, for its calibration report. */
export function pairReason(rows: CandidateFigures[], pair: Combination, opts: ChoiceOptions): string {
  const bestSingle = Math.max(...rows.filter((r) => r.latencyMs <= opts.budgetMs).map((r) => r.separation));
  return (
    `two configurations combined (each score in spreads of its own held-out good scores, averaged) separate the ` +
    `search's evidence ${pair.separation.toFixed(3)}, the best single one ${bestSingle.toFixed(3)}: a pair of the two ` +
    `backbones' defaults runs unless a single configuration or another pair leads it by ${MIN_GAIN}; together they ` +
    `cost ${pair.latencyMs.toFixed(0)} ms of the ${opts.budgetMs} ms budget`
  );
}
