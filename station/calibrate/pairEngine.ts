/**
 * Two configurations calibrated as one (a pair, see tune/combine.ts): every image is embedded by both, every bank
 * is built twice (each member with its own bank size), every item is scored by both. The pair's own score is its
 * score model's (verdict/scoreModel.ts 'pair'), over the members' results; calibration builds that model from the
 * members' held-out good scores (calibrate/scoreModel.ts heldOutUnderPair).
 */
import { decodeReferenceSet, encodeReferenceSet, partnerSet, type ReferenceSet } from '../vision/referenceSet.ts';
import type { PatchEmbedding } from '../vision/types.ts';
import type { CalibrationEngine } from './engine.ts';

type Member = CalibrationEngine<PatchEmbedding, ReferenceSet>;
export type PairEmbedding = [PatchEmbedding, PatchEmbedding];
export type PairSet = [ReferenceSet, ReferenceSet];

/** `second`'s banks hold `secondCoreset` patches (its own configuration's size); the first's, what calibration asks. */
export function pairEngine(
  first: Member,
  second: Member,
  secondCoreset: number,
): CalibrationEngine<PairEmbedding, PairSet> {
  return {
    modelSha256: first.modelSha256,
    modelId: first.modelId,
    partnerModel: { id: second.modelId ?? 'unknown', sha256: second.modelSha256 },
    defaultCoresetSize: first.defaultCoresetSize,
    embed: async (buf, name) => [await first.embed(buf, name), await second.embed(buf, name)],
    async embedViews(buf, name) {
      const a = (await first.embedViews?.(buf, name)) ?? [];
      const b = (await second.embedViews?.(buf, name)) ?? [];
      if (a.length !== b.length) throw new Error(`${name}: the pair's members made ${a.length} and ${b.length} views`);
      return a.map((v, i) => [v, b[i]] as PairEmbedding);
    },
    imageEmbedding: (e) => first.imageEmbedding(e[0]),
    grid: (e) => first.grid(e[0]),
    async build(embs, names, o) {
      const views = (k: 0 | 1) => (o.views ? o.views.map((v) => v[k]) : undefined);
      return [
        await first.build(
          embs.map((e) => e[0]),
          names,
          { ...o, views: views(0) },
        ),
        await second.build(
          embs.map((e) => e[1]),
          names,
          { ...o, views: views(1), coresetSize: secondCoreset },
        ),
      ];
    },
    async score(e, set) {
      const a = await first.score(e[0], set[0]);
      const b = await second.score(e[1], set[1]);
      return { ...a, members: [a, b] };
    },
    serialise: (set, extras) => {
      const { formatVersion: _f, tuning: _t, judging: _j, partner: _p, ...look } = set[1];
      return encodeReferenceSet({
        ...set[0],
        partner: look,
        ...(extras?.tuning ? { tuning: extras.tuning } : {}),
        ...(extras?.judging ? { judging: extras.judging } : {}),
      });
    },
    deserialise(bytes, file) {
      const expectedModel = { id: first.modelId ?? 'unknown', sha256: first.modelSha256 };
      const set = decodeReferenceSet(bytes, { source: file, expectedModel });
      const second = partnerSet(set);
      if (!second) throw new Error(`${file}: holds one configuration, not a pair`);
      return [set, second];
    },
    judgingOf: (set) => set[0].judging,
  };
}
