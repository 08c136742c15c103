/**
 * Which number a band judges. 'raw' is the engine's image score. 'top' is the mean of the item's most
 * deviating patches (the product's top share of its area). 'region' recomputes the score from the
 * patch-score grid with per-location normalisation and/or product region masks, pooled the same way.
 * 'pair' combines two configurations' scores (see combine.ts), each pooled its own way.
 * The model is stored (as JSON) with the band of a reference-set version.
 */
import type { ToleranceBand } from './bands.ts';
import type { Band, Verdict } from '../shared/domain.d.ts';
import { inGoodSpreads, type GoodScale } from './combine.ts';
import { judge } from './judge.ts';
import { poolScores } from './pool.ts';
import { normaliseMap, regionTolerance, type Region, type RegionStats } from './regionNorm.ts';

export type ScoreModel =
  | { kind: 'raw' }
  | { kind: 'top'; topShare: number }
  | {
      kind: 'region';
      gridW: number;
      gridH: number;
      /** Per-location mean/spread of good patch scores; absent = masks only. */
      stats?: { mean: number[]; std: number[]; n: number };
      regions?: Region[];
      /** Pool the normalised grid by the mean of this top share (absent = its maximum). */
      topShare?: number;
    }
  | { kind: 'pair'; members: PairMember[] };

/** One configuration of a pair: how its patch scores are pooled (0: the engine's score) and its good scale. */
export interface PairMember extends GoodScale {
  topShare: number;
}

export interface ScoredItem {
  score: number;
  patchScores?: Float32Array;
  /** Grid cells holding image content (1) rather than padding (0); padding never scores. */
  contentMask?: Uint8Array;
  /** A pair's members' own results, in the model's member order. */
  members?: ScoredItem[];
}

function topShareScore(item: ScoredItem, topShare: number): number {
  if (!item.patchScores)
    throw new Error('this product judges its most deviating share, but the inspection has no patch scores');
  return poolScores(item.patchScores, topShare, item.contentMask);
}

/** A member's score as the self-tuning search pooled it: the engine's score (top share 0), or its top share's mean. */
export const memberScore = (item: ScoredItem, topShare: number): number =>
  topShare === 0 ? item.score : topShareScore(item, topShare);

function pairScorer(members: PairMember[]): (item: ScoredItem) => number {
  return (item) => {
    if (item.members?.length !== members.length)
      throw new Error(
        `this product judges ${members.length} configurations combined, but the inspection has ${item.members?.length ?? 0}: recalibrate`,
      );
    let sum = 0;
    for (const [i, m] of members.entries()) sum += inGoodSpreads(memberScore(item.members[i], m.topShare), m);
    return sum / members.length;
  };
}

export function statsFromModel(model: ScoreModel): RegionStats | undefined {
  if (model.kind !== 'region' || !model.stats) return undefined;
  return {
    gridW: model.gridW,
    gridH: model.gridH,
    n: model.stats.n,
    mean: Float32Array.from(model.stats.mean),
    std: Float32Array.from(model.stats.std),
  };
}

/** A scorer bound to one model (the rasterised masks and stats are prepared once). */
export function productScorer(model: ScoreModel): (item: ScoredItem) => number {
  if (model.kind === 'raw') return (item) => item.score;
  if (model.kind === 'top') return (item) => topShareScore(item, model.topShare);
  if (model.kind === 'pair') return pairScorer(model.members);
  const stats = statsFromModel(model);
  const tol = regionTolerance(model.regions, model.gridW, model.gridH);
  const size = model.gridW * model.gridH;
  return (item) => {
    if (!item.patchScores)
      throw new Error('this product judges per-region scores, but the inspection has no patch scores');
    if (item.patchScores.length !== size)
      throw new Error(
        `patch grid has ${item.patchScores.length} cells, the product's tolerance model expects ${size}: recalibrate`,
      );
    return poolScores(normaliseMap(item.patchScores, stats, tol), model.topShare ?? 0, item.contentMask);
  };
}

export function modelToJson(
  stats: RegionStats | undefined,
  regions: Region[] | undefined,
  gridW: number,
  gridH: number,
  topShare = 0,
): ScoreModel {
  if (!stats && !regions?.length) return topShare > 0 ? { kind: 'top', topShare } : { kind: 'raw' };
  return {
    kind: 'region',
    gridW,
    gridH,
    stats: stats ? { mean: Array.from(stats.mean), std: Array.from(stats.std), n: stats.n } : undefined,
    regions: regions?.length ? regions : undefined,
    ...(topShare > 0 ? { topShare } : {}),
  };
}

/** How reports name the score a model judges. */
export function scoreKindOf(model: ScoreModel): ToleranceBand['scoreKind'] {
  const kinds = { raw: 'raw', top: 'top-share', region: 'region-normalised', pair: 'combined' } as const;
  return kinds[model.kind];
}

/** What a reference-set version judges by: its tolerance band's two edges and the score model they apply to. */
export interface JudgingBand extends Band {
  scoreModel?: ScoreModel;
}

/**
 * The one call an inspection needs: the product score under the version's model, and its verdict.
 * No band, or a result without a usable score → 'unjudged' (never a pass).
 */
export function judgeInspection(
  item: ScoredItem | null | undefined,
  band: JudgingBand | null | undefined,
): { verdict: Verdict; score: number | null; error?: string } {
  if (!item || !band) return { verdict: 'unjudged', score: item?.score ?? null };
  let score: number;
  try {
    score = productScorer(band.scoreModel ?? { kind: 'raw' })(item);
  } catch (err) {
    return { verdict: 'unjudged', score: null, error: (err as Error).message };
  }
  return {
    verdict: judge(score, band),
    score: Number.isFinite(score) ? score : null,
  };
}
