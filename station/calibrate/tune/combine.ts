/**
 * Combining candidates instead of choosing one (pure): which pairs the search's evidence allows, and which one a
 * product runs. How two members' scores combine is verdict/combine.ts. On magnetic tile MobileNetV2 and InceptionV3
 * disagree on which items deviate, so the mean of the two can beat either alone.
 */
import { combineScores, goodScale, type GoodScale } from '../../verdict/combine.ts';
import { candidateLabel } from './candidates.ts';
import { MIN_GAIN, nearestDefault, type ChoiceOptions } from './choose.ts';
import { separationOf, type CandidateFigures } from './search.ts';

export interface Combination {
  members: [CandidateFigures, CandidateFigures];
  /** Each member's good scale, from its held-out good scores in the search: what its other scores are put on. */
  scales: [GoodScale, GoodScale];
  label: string;
  /** As CandidateFigures.separation, of the combined scores. */
  separation: number;
  /** The members run one after the other, each on half its bank (pairMemberBank): their costs add. */
  latencyMs: number;
}

/** Both members' capture-to-score, each with the kNN search over half its bank (pairMemberBank). */
const pairLatency = (a: CandidateFigures, b: CandidateFigures): number =>
  a.latencyMs + b.latencyMs - (a.knnMs + b.knnMs) / 2;

/** The cheapest pair on two backbones, ms, within budget or not (what a report says when none fits); null: none. */
export function cheapestPairMs(rows: CandidateFigures[]): number | null {
  let best: number | null = null;
  for (const [i, a] of rows.entries())
    for (const b of rows.slice(i + 1))
      if (a.candidate.backbone !== b.candidate.backbone) best = Math.min(best ?? Infinity, pairLatency(a, b));
  return best;
}

/**
 * Every pair of candidates on different backbones whose costs together fit the budget, with the separation of
 * their combined scores on the search's own evidence (the same held-out goods, synthetic defects and rejects).
 */
export function combinations(rows: CandidateFigures[], budgetMs: number): Combination[] {
  const out: Combination[] = [];
  for (const [i, a] of rows.entries()) {
    for (const b of rows.slice(i + 1)) {
      const latencyMs = pairLatency(a, b);
      if (a.candidate.backbone === b.candidate.backbone || latencyMs > budgetMs) continue;
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
        latencyMs,
      });
    }
  }
  return out.sort((x, y) => y.separation - x.separation);
}

/**
 * The pair a product runs instead of its single choice, under the choosing rule with pairs among the candidates: the
 * default becomes the pair nearest each backbone's default that fits the budget together (the first backbone's
 * default kept first) — on tile the evidence could not tell the two backbones apart, and their pair held 0.985
 * where either alone gave 0.90 or 0.99 — and a single candidate or another pair replaces it only when it separates
 * the evidence better by MIN_GAIN. Null: a single candidate stands (the product's own choice).
 */
export function pairChoice(rows: CandidateFigures[], pairs: Combination[], opts: ChoiceOptions): Combination | null {
  const within = rows.filter((r) => r.latencyMs <= opts.budgetMs);
  const prior = priorPair(within, pairs, opts);
  if (!prior) return null;
  const bestSingle = Math.max(...within.map((r) => r.separation));
  const bestPair = pairs[0];
  if (bestSingle >= prior.separation + MIN_GAIN && bestSingle >= bestPair.separation) return null;
  return bestPair.separation >= prior.separation + MIN_GAIN ? bestPair : prior;
}

/** The fitting pair nearest the two backbones' defaults (see nearestDefault), walking the first backbone's last. */
function priorPair(within: CandidateFigures[], pairs: Combination[], opts: ChoiceOptions): Combination | undefined {
  const [as, bs] = opts.space.backbones.slice(0, 2).map((id) =>
    nearestDefault(
      within.filter((r) => r.candidate.backbone === id),
      opts,
    ),
  );
  for (const a of as ?? []) {
    const pair = (bs ?? []).flatMap((b) => pairs.filter((p) => p.members.includes(a) && p.members.includes(b)))[0];
    if (pair) return pair;
  }
  return undefined;
}

/** Why a product runs this pair, for its calibration report. */
export function pairReason(rows: CandidateFigures[], pair: Combination, opts: ChoiceOptions): string {
  const bestSingle = Math.max(...rows.filter((r) => r.latencyMs <= opts.budgetMs).map((r) => r.separation));
  return (
    `two configurations combined (each score in spreads of its own held-out good scores, averaged) separate the ` +
    `search's evidence ${pair.separation.toFixed(3)}, the best single one ${bestSingle.toFixed(3)}: the pair nearest the ` +
    `two backbones' defaults that fits the budget runs unless a single configuration or another pair leads it by ${MIN_GAIN}; together they ` +
    `cost ${pair.latencyMs.toFixed(0)} ms of the ${opts.budgetMs} ms budget`
  );
}
