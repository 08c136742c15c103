/**
 * Verdict figures for `npm run eval`: bands calibrated on train/good only (held-out k-fold scores),
 * then test images tallied into pass/review/fail. Works on the engine's own embeddings and score
 * results, so eval does not embed anything twice.
 */
import type { CoresetThreads } from './coreset/pool.ts';
import { estimateBands, type ToleranceBand } from '../verdict/bands.ts';
import { judge, type JudgedCounts } from '../verdict/judge.ts';
import { productScorer, scoreKindOf, type ScoredItem, type ScoreModel } from '../verdict/scoreModel.ts';
import type { Engine } from '../vision/engine.ts';
import type { ItemRegion } from '../vision/itemRegion.ts';
import type { PatchEmbedding } from '../vision/types.ts';
import { heldOutItemScores } from './heldOut.ts';
import { pairEngine, zipViews, type PairEmbedding } from './pairEngine.ts';
import { heldOutUnderModel, heldOutUnderPair } from './scoreModel.ts';
import { adaptEngine } from './visionEngine.ts';

export interface VerdictEvalOptions {
  seed: number;
  /** The bank size eval builds its reference set with. */
  bankSize: number;
  failRate?: number;
  reviewRate?: number;
  folds?: number;
  bootstrap?: number;
  /** Judge per-location normalised scores (items placed consistently) instead of the raw score. */
  placedConsistently?: boolean;
  /** Judge the mean of the item's most deviating share instead of its maximum (product scoreTopShare). */
  scoreTopShare?: number;
  onProgress?: (done: number, total: number) => void;
  /** Augmented views of each embedding (they join the fold banks with their image). */
  views?: PatchEmbedding[][];
  /** Where the items sit: the bench around them is not scored. */
  itemRegion?: ItemRegion | null;
  /** Chooses the fold banks off the calling thread, several at once (see coreset/pool.ts). */
  coresets?: CoresetThreads;
}

export interface VerdictFigures {
  good: JudgedCounts;
  defect: JudgedCounts;
}

export interface VerdictTally {
  band: ToleranceBand;
  model: ScoreModel;
  heldOut: { method: 'k-fold' | 'leave-one-out'; folds: number; seconds: number };
  /** The number the band judges, for one scored item (see verdict/scoreModel.ts). */
  score: (item: ScoredItem) => number;
  /** Tally one test image from its scored item (patch scores are needed for the region model, members for a pair). */
  add(defective: boolean, item: ScoredItem): void;
  verdicts(): VerdictFigures;
  /** Compact band description for the eval JSON. */
  bandSummary(): {
    reviewAt: number;
    failAt: number;
    intervals: ToleranceBand['intervals'];
    n: number;
    heldOut: string;
    scoreKind: string;
    warnings: string[];
  };
}

/** Calibrate bands from the train/good embeddings eval already made; returns a tally for its test images. */
export async function calibrateForEval(
  engine: Engine,
  embeddings: PatchEmbedding[],
  names: string[],
  opts: VerdictEvalOptions,
): Promise<VerdictTally> {
  const t0 = performance.now();
  const held = await heldOutItemScores(adaptEngine(engine, opts.bankSize, 'none', opts.coresets), embeddings, names, {
    seed: opts.seed,
    coresetSize: opts.bankSize,
    folds: opts.folds,
    onProgress: opts.onProgress,
    views: opts.views,
    itemRegion: opts.itemRegion,
  });
  const { model, scores } = heldOutUnderModel(
    { placedConsistently: opts.placedConsistently ?? false, regions: [], scoreTopShare: opts.scoreTopShare ?? 0 },
    held.scores,
    { gridW: embeddings[0].gridW, gridH: embeddings[0].gridH },
  );
  return tallyOf(model, scores, held, opts, t0);
}

/** What a pair's eval needs besides VerdictEvalOptions: each member's bank size, pooling and views. */
export interface PairEvalOptions
  extends Omit<VerdictEvalOptions, 'bankSize' | 'views' | 'scoreTopShare' | 'placedConsistently'> {
  bankSizes: [number, number];
  topShares: [number, number];
  views?: [PatchEmbedding[][], PatchEmbedding[][]];
}

/**
 * A pair's score model and bands from both members' train/good embeddings, as a product's calibration makes them
 * (calibrate/pairEngine.ts, heldOutUnderPair): the members' good scales come from these held-out scores.
 */
export async function calibratePairForEval(
  engines: [Engine, Engine],
  embeddings: [PatchEmbedding[], PatchEmbedding[]],
  names: string[],
  opts: PairEvalOptions,
): Promise<VerdictTally> {
  const t0 = performance.now();
  const [a, b] = opts.bankSizes;
  const calib = pairEngine(
    adaptEngine(engines[0], a, 'none', opts.coresets),
    adaptEngine(engines[1], b, 'none', opts.coresets),
    b,
  );
  const views = opts.views;
  const held = await heldOutItemScores(
    calib,
    embeddings[0].map((e, i): PairEmbedding => [e, embeddings[1][i]]),
    names,
    {
      seed: opts.seed,
      coresetSize: a,
      folds: opts.folds,
      onProgress: opts.onProgress,
      views: views ? views[0].map((v, i) => zipViews(v, views[1][i])) : undefined,
      itemRegion: opts.itemRegion,
    },
  );
  const { model, scores } = heldOutUnderPair(held.scores, opts.topShares);
  return tallyOf(model, scores, held, opts, t0);
}

/** Bands from held-out good scores under a model, and a tally of test items judged by them. */
function tallyOf(
  model: ScoreModel,
  scores: number[],
  held: { method: 'k-fold' | 'leave-one-out'; folds: number },
  opts: Pick<VerdictEvalOptions, 'failRate' | 'reviewRate' | 'bootstrap' | 'seed'>,
  t0: number,
): VerdictTally {
  const band = estimateBands(scores, {
    failRate: opts.failRate ?? 0.01,
    reviewRate: opts.reviewRate ?? 0.1,
    bootstrap: opts.bootstrap ?? 1000,
    seed: opts.seed,
    scoreKind: scoreKindOf(model),
  });
  const seconds = (performance.now() - t0) / 1000;
  const scoreOf = productScorer(model);
  const counts = { good: { pass: 0, review: 0, fail: 0 }, defect: { pass: 0, review: 0, fail: 0 } };
  return {
    band,
    model,
    heldOut: { method: held.method, folds: held.folds, seconds },
    score: scoreOf,
    add(defective, item) {
      const v = judge(scoreOf(item), band);
      if (v === 'unjudged') throw new Error(`eval verdicts: a test image has no finite score (${item.score})`);
      counts[defective ? 'defect' : 'good'][v]++;
    },
    verdicts: () => ({ good: { ...counts.good }, defect: { ...counts.defect } }),
    bandSummary: () => ({
      reviewAt: band.reviewAt,
      failAt: band.failAt,
      intervals: band.intervals,
      n: band.n,
      heldOut: `${held.method}, ${held.folds} folds`,
      scoreKind: band.scoreKind,
      warnings: band.warnings,
    }),
  };
}
