/**
 * Inspecting an image with a reference set, whatever it holds: one configuration, or a pair (its own and its
 * partner's, each on its own engine). For a pair the heatmap blends both members' maps on the scale their scores
 * are combined on; the verdict comes from the pair's score model (verdict/scoreModel.ts) over `members`.
 */
import type { Engine, InspectResult } from '../vision/engine.ts';
import { blendAnomalyMaps } from '../vision/anomalyMap.ts';
import { partnerSet, type ReferenceSet } from '../vision/referenceSet.ts';
import type { DecodedImage, InspectionTimings } from '../vision/types.ts';
import type { EnginePool } from './pool.ts';

export interface SetInspection extends InspectResult {
  /** A pair's members' own results, in the score model's order. score, patchScores and embedding are the first's. */
  members?: InspectResult[];
}

export type SetInspector = (image: DecodedImage, decodeMs?: number) => Promise<SetInspection>;

const sumTimings = (a: InspectionTimings, b: InspectionTimings): InspectionTimings => ({
  decodeMs: a.decodeMs,
  preprocessMs: a.preprocessMs + b.preprocessMs,
  backboneMs: a.backboneMs + b.backboneMs,
  scoringMs: a.scoringMs + b.scoringMs,
  heatmapMs: a.heatmapMs + b.heatmapMs,
});

/** The members' good scales, from the pair's score model; a pair file always carries them (decodeReferenceSet). */
function pairScales(set: ReferenceSet): { centre: number; spread: number }[] {
  const model = set.judging?.scoreModel;
  if (model?.kind !== 'pair' || model.members.length !== 2)
    throw new Error('this reference set carries a partner but no pair score model to combine them by: recalibrate');
  return model.members;
}

/** How images are inspected with this set: its engine (and its partner's, loaded by the pool) made once. */
export function inspectorForSet(pool: Pick<EnginePool, 'engineForSet'>, set: ReferenceSet): SetInspector {
  const engine: Engine = pool.engineForSet(set);
  const second = partnerSet(set);
  if (!second) return (image, decodeMs) => engine.inspectDecoded(image, set, decodeMs);
  const scales = pairScales(set);
  const partner = pool.engineForSet(second);
  return async (image, decodeMs) => {
    const a = await engine.inspectDecoded(image, set, decodeMs);
    const b = await partner.inspectDecoded(image, second);
    const anomalyMap = blendAnomalyMaps([
      { map: a.anomalyMap, ...scales[0] },
      { map: b.anomalyMap, ...scales[1] },
    ]);
    return { ...a, anomalyMap, timings: sumTimings(a.timings, b.timings), members: [a, b] };
  };
}

/** What a verdict is judged from (verdict/scoreModel.ts ScoredItem): the result, and a pair's members' results. */
export function scoredItem(r: SetInspection) {
  const one = (x: InspectResult) => ({ score: x.score, patchScores: x.patchScores, contentMask: x.scoredMask });
  return { ...one(r), ...(r.members ? { members: r.members.map(one) } : {}) };
}
