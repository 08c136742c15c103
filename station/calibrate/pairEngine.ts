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
/** An image by both members; an augmented view may be one member's only (members augment each their own way). */
export type PairEmbedding = [PatchEmbedding | null, PatchEmbedding | null];
export type PairSet = [ReferenceSet, ReferenceSet];

const must = (e: PatchEmbedding | null): PatchEmbedding => {
  if (!e) throw new Error("a pair's image lacks one member's embedding");
  return e;
};

/** Two members' views of one image side by side, the shorter list padded with nulls. */
export function zipViews(a: PatchEmbedding[], b: PatchEmbedding[]): PairEmbedding[] {
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i): PairEmbedding => [a[i] ?? null, b[i] ?? null]);
}

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
    buildsAtOnce: first.buildsAtOnce,
    embed: async (buf, name) => [await first.embed(buf, name), await second.embed(buf, name)],
    embedViews: async (buf, name) =>
      zipViews((await first.embedViews?.(buf, name)) ?? [], (await second.embedViews?.(buf, name)) ?? []),
    imageEmbedding: (e) => first.imageEmbedding(must(e[0])),
    grid: (e) => first.grid(must(e[0])),
    async build(embs, names, o) {
      const views = (k: 0 | 1) => o.views?.map((vs) => vs.flatMap((v) => (v[k] ? [v[k]] : [])));
      // Both at once: with a coreset pool the two selections run on two threads.
      return Promise.all([
        first.build(
          embs.map((e) => must(e[0])),
          names,
          { ...o, views: views(0) },
        ),
        second.build(
          embs.map((e) => must(e[1])),
          names,
          { ...o, views: views(1), coresetSize: secondCoreset },
        ),
      ]);
    },
    without(set, names) {
      const a = first.without(set[0], names);
      const b = second.without(set[1], names);
      return { set: [a.set, b.set], share: Math.max(a.share, b.share) };
    },
    async score(e, set) {
      const a = await first.score(must(e[0]), set[0]);
      const b = await second.score(must(e[1]), set[1]);
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
