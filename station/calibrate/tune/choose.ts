/**
 * Which candidate a product runs (pure): the best separation among those within the latency budget; separations
 * that agree to the third decimal are a tie, won by the cheaper input (so the same images and seed choose the same
 * configuration even when measured latencies wobble). Nothing within budget: a clear error naming the fastest.
 *
 * The default configuration — the pool's first backbone, the smallest square input, the map's maximum, no
 * augmentation — is the prior: another candidate replaces it only when it separates the evidence better by at least
 * MIN_GAIN. Small differences are noise at these sample sizes (48 held-out goods, ~96 synthetic defects: one AUROC's
 * standard error is about 0.05): on magnetic tile every candidate saw the synthetic defects at 0.53-0.62 and their
 * order was the opposite of the real defects' (0.72-0.99), where on screw a 0.05 lead did hold.
 *
 * The prior's pooling follows what the product is. On a surface — items that fill their frame: a tile, a hide, a
 * board — natural variation (grain, streaks, pores) lights single patches anywhere, so the map's maximum is mostly
 * the largest harmless patch; the mean of the top 10 % weighs a defect's extent instead. Measured: tile 0.86 → 0.90,
 * leather 0.70 → 0.83, the hidden dark rubber 0.67 → 0.69; on objects on a bench the maximum wins (screw 0.95 vs
 * 0.92), where a small chip is one patch.
 *
 * A few-shot product's prior also augments its reference set (every symmetry of the square where input and items
 * are square, else the mirrors): four good leather images cover few of the ways grain can lie, and their turned
 * views add the rest (leather, 4 images: 0.83 → 0.89 with turns at 224, top 10 %). The spin (the turns, each
 * turned 45° more) is searched but is not the prior: ten screws lying at any angle, MobileNetV2 448 max, image AUROC
 * 0.681 with turns and 0.723 with spin on test, but the leather's spin prior fell to 0.825 (turns 0.8875).
 */
import { candidateLabel, costRank, type SearchSpace } from './candidates.ts';
import type { CandidateFigures } from './search.ts';
import type { Augmentation } from '../../vision/augment.ts';

export interface Choice {
  chosen: CandidateFigures;
  reason: string;
  /** No candidate beat the default by MIN_GAIN: the default was kept. */
  keptDefault: boolean;
}

/** How much better than the default a candidate must separate the evidence to replace it. */
export const MIN_GAIN = 0.03;

/** Items covering at least this share of their frame (typicalItemCover) make the product a surface. */
export const SURFACE_COVER = 0.9;
/** The prior's pooling on a surface: the mean of the top 10 % of patch scores. */
export const SURFACE_TOP_SHARE = 0.1;

export interface ChoiceOptions {
  budgetMs: number;
  space: SearchSpace;
  nativeAspect: number;
  /** Items fill their frame (typicalItemCover ≥ SURFACE_COVER): the prior pools the top share, not the maximum. */
  surface?: boolean;
  /** Fewer good images than FEW_SHOTS: the prior augments the reference set. */
  fewShot?: boolean;
}

/** The prior's augmentation: for a few-shot product the turns where the candidates offer them, else the mirrors. */
const augmentRank = (a: Augmentation, fewShot?: boolean): number =>
  fewShot ? ['turns', 'spin', 'flips', 'jitter', 'none'].indexOf(a) : a === 'none' ? 0 : 1;

/** The prior's pooling: the top share a surface pools, else the map's maximum (0); the nearest one the space has. */
function priorTopShare(opts: ChoiceOptions): number {
  const want = opts.surface ? SURFACE_TOP_SHARE : 0;
  return opts.space.topShares.reduce((a, b) => (Math.abs(b - want) < Math.abs(a - want) ? b : a));
}

/** The default among candidates: the cheapest input of the first backbone, the prior's augmentation and pooling. */
export const defaultOf = (rows: CandidateFigures[], opts: ChoiceOptions): CandidateFigures =>
  nearestDefault(rows, opts)[0];

/** Candidates from the default outwards: backbone, augmentation, square before native, cheaper input, pooling. */
export function nearestDefault(rows: CandidateFigures[], opts: ChoiceOptions): CandidateFigures[] {
  const pooling = priorTopShare(opts);
  const rank = (r: CandidateFigures) => [
    opts.space.backbones.indexOf(r.candidate.backbone),
    augmentRank(r.candidate.augment, opts.fewShot),
    r.candidate.aspect === 'square' ? 0 : 1,
    costRank(r.candidate, opts.space, opts.nativeAspect),
    Math.abs(r.candidate.topShare - pooling),
  ];
  return [...rows].sort((a, b) => {
    const x = rank(a),
      y = rank(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
}

function priorWords(opts: ChoiceOptions): string {
  const what = [opts.surface ? 'a surface (items fill the frame)' : '', opts.fewShot ? 'few good images' : ''];
  const said = what.filter(Boolean).join(', ');
  return said ? ` for ${said}` : '';
}

export function chooseCandidate(rows: CandidateFigures[], opts: ChoiceOptions): Choice {
  if (rows.length === 0) throw new Error('self-tuning: no candidate configuration to try');
  const within = rows.filter((r) => r.latencyMs <= opts.budgetMs);
  if (within.length === 0) {
    const fastest = rows.reduce((a, b) => (b.latencyMs < a.latencyMs ? b : a));
    throw new Error(
      `self-tuning: no configuration meets the latency budget of ${opts.budgetMs} ms; the fastest, ${candidateLabel(fastest.candidate)}, ` +
        `takes ${fastest.latencyMs.toFixed(0)} ms: raise latencyBudgetMs in product.json or pin a smaller input`,
    );
  }
  const key = (r: CandidateFigures) => Math.round(r.separation * 1000);
  const cost = (r: CandidateFigures) => costRank(r.candidate, opts.space, opts.nativeAspect);
  const sorted = [...within].sort(
    (a, b) => key(b) - key(a) || cost(a) - cost(b) || a.candidate.topShare - b.candidate.topShare,
  );
  const fallback = defaultOf(within, opts);
  if (sorted[0] !== fallback && !(sorted[0].separation >= fallback.separation + MIN_GAIN)) {
    return {
      chosen: fallback,
      keptDefault: true,
      reason:
        `the default configuration${priorWords(opts)}: no candidate separated the synthetic defects${fallback.rejects !== null ? ' and rejects' : ''} from held-out good items ` +
        `better by ${MIN_GAIN} or more (default ${fallback.separation.toFixed(3)}, best ${candidateLabel(sorted[0].candidate)} ${sorted[0].separation.toFixed(3)})`,
    };
  }
  const chosen = sorted[0];
  const runnerUp = sorted[1];
  const over = rows.length - within.length;
  const parts = [
    `best separation of synthetic defects${chosen.rejects !== null ? ' and rejects' : ''} from held-out good items (${chosen.separation.toFixed(3)})`,
  ];
  if (runnerUp) {
    parts.push(
      key(runnerUp) === key(chosen)
        ? `tied with ${candidateLabel(runnerUp.candidate)} and cheaper`
        : `next best ${candidateLabel(runnerUp.candidate)} ${runnerUp.separation.toFixed(3)}`,
    );
  }
  if (over) parts.push(`${over} candidate(s) over the ${opts.budgetMs} ms budget left out`);
  return { chosen, reason: parts.join('; '), keptDefault: false };
}
