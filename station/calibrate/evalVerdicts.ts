/**
 * Verdict figures for `npm run eval`: bands calibrated on train/good only (held-out k-fold scores),
 * then test images tallied into pass/review/fail. Works on the engine's own embeddings and score
 * results, so eval does not embed anything twice.
 */
import { estimateBands, type ToleranceBand } from '../verdict/bands.ts';
import { judge, type JudgedCounts } from '../verdict/judge.ts';
import { productScorer, scoreKindOf, type ScoreModel } from '../verdict/scoreModel.ts';
import type { Engine } from '../vision/engine.ts';
import type { ItemRegion } from '../vision/itemRegion.ts';
import type { PatchEmbedding } from '../vision/types.ts';
import { heldOutItemScores } from './heldOut.ts';
import { heldOutUnderModel } from './scoreModel.ts';
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
}

export interface VerdictFigures {
  good: JudgedCounts;
  defect: JudgedCounts;
}

export interface VerdictTally {
  band: ToleranceBand;
  model: ScoreModel;
  heldOut: { method: 'k-fold' | 'leave-one-out'; folds: number; seconds: number };
  /** Tally one test image from its score result (patch scores are needed for the region model). */
  add(
    defective: boolean,
    r: { score: number; patchScores: Float32Array; scoredMask?: Uint8Array; embedding?: PatchEmbedding },
  ): void;
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
  const calib = adaptEngine(engine, opts.bankSize);
  const held = await heldOutItemScores(calib, embeddings, names, {
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
    add(defective, r) {
      const v = judge(
        scoreOf({ score: r.score, patchScores: r.patchScores, contentMask: r.scoredMask ?? r.embedding?.contentMask }),
        band,
      );
      if (v === 'unjudged') throw new Error(`eval verdicts: a test image has no finite score (${r.score})`);
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
