/**
 * Which score the product's band judges (see station/verdict/scoreModel.ts), and the held-out
 * good scores under it. Per-location statistics only when the product says items are placed
 * consistently; region masks whenever product.json has them.
 */
import { leaveOneOutRegionScores, regionStats, regionTolerance } from '../verdict/regionNorm.ts';
import { goodScale } from '../verdict/combine.ts';
import { memberScore, modelToJson, productScorer, type ScoreModel } from '../verdict/scoreModel.ts';
import type { ItemScore } from './engine.ts';
import type { ProductConfig } from '../products/productConfig.ts';

export interface HeldOutModel {
  model: ScoreModel;
  /** Held-out good scores under the model, in item order. */
  scores: number[];
}

export function heldOutUnderModel(
  product: Pick<ProductConfig, 'placedConsistently' | 'regions' | 'scoreTopShare'>,
  heldOut: ItemScore[],
  grid: { gridW: number; gridH: number },
): HeldOutModel {
  const { gridW, gridH } = grid;
  const topShare = product.scoreTopShare;
  const regions = product.regions.length ? product.regions : undefined;
  if (product.placedConsistently) {
    // Each good image's held-out score uses statistics of the other images only.
    const maps = heldOut.map((r) => r.patchScores);
    const tol = regionTolerance(regions, gridW, gridH);
    const scores = leaveOneOutRegionScores(
      maps,
      gridW,
      gridH,
      tol,
      heldOut.map((r) => r.contentMask),
      topShare,
    );
    return { model: modelToJson(regionStats(maps, gridW, gridH), regions, gridW, gridH, topShare), scores };
  }
  const model = modelToJson(undefined, regions, gridW, gridH, topShare);
  if (model.kind === 'raw') return { model, scores: heldOut.map((r) => r.score) };
  const score = productScorer(model);
  return { model, scores: heldOut.map((r) => score(r)) };
}

/**
 * A pair's score model from its members' held-out good scores, each pooled its own way (its good scale is where
 * they lie), and the pair's held-out good scores under it. Regions and per-location statistics are not combined:
 * self-tuning offers a pair only to products that use neither.
 */
export function heldOutUnderPair(heldOut: ItemScore[], topShares: readonly number[]): HeldOutModel {
  const members = topShares.map((topShare, k) => {
    const scores = heldOut.map((r) => {
      const m = r.members?.[k];
      if (!m) throw new Error(`held-out score of a pair lacks member ${k + 1}`);
      return memberScore(m, topShare);
    });
    return { topShare, ...goodScale(scores) };
  });
  const model: ScoreModel = { kind: 'pair', members };
  const score = productScorer(model);
  return { model, scores: heldOut.map((r) => score(r)) };
}
