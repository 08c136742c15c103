import { describe, expect, it } from 'vitest';
import type { CalibrationEngine } from '../../station/calibrate/engine.ts';
import { pairEngine } from '../../station/calibrate/pairEngine.ts';
import type { ReferenceSet } from '../../station/vision/referenceSet.ts';
import type { PatchEmbedding } from '../../station/vision/types.ts';

/** A member that records what it was asked to build: its embeddings are tagged with its name. */
function member(name: string, views: number) {
  const built: { images: string[]; views: string[]; coresetSize?: number }[] = [];
  const tag = (t: string) => ({ tag: t }) as unknown as PatchEmbedding;
  const engine = {
    modelSha256: `${name}-sha`,
    modelId: name,
    defaultCoresetSize: 100,
    embed: async (_buf: Buffer, img: string) => tag(`${name}:${img}`),
    embedViews: async (_buf: Buffer, img: string) =>
      Array.from({ length: views }, (_, i) => tag(`${name}:${img}#${i}`)),
    imageEmbedding: () => new Float32Array(1),
    grid: () => ({ gridW: 2, gridH: 1 }),
    build(embs: PatchEmbedding[], _names: string[], o: { views?: PatchEmbedding[][]; coresetSize?: number }) {
      const of = (e: PatchEmbedding) => (e as unknown as { tag: string }).tag;
      built.push({ images: embs.map(of), views: (o.views ?? []).flat().map(of), coresetSize: o.coresetSize });
      return { name } as unknown as ReferenceSet;
    },
    score: async (e: PatchEmbedding) => ({
      score: (e as unknown as { tag: string }).tag.length,
      patchScores: new Float32Array(2),
    }),
  } as unknown as CalibrationEngine<PatchEmbedding, ReferenceSet>;
  return { engine, built };
}

describe('pairEngine', () => {
  it("builds each member's bank from its own embeddings and its own views, at its own bank size", async () => {
    const a = member('a', 0);
    const b = member('b', 2);
    const pair = pairEngine(a.engine, b.engine, 40);
    const embs = [await pair.embed(Buffer.alloc(0), 'x'), await pair.embed(Buffer.alloc(0), 'y')];
    const views = [await pair.embedViews!(Buffer.alloc(0), 'x'), await pair.embedViews!(Buffer.alloc(0), 'y')];
    expect(views[0]).toHaveLength(2); // the member with more views sets the count, the other's are empty
    await pair.build(embs, ['x', 'y'], { seed: 1, coresetSize: 90, views });
    expect(a.built).toEqual([{ images: ['a:x', 'a:y'], views: [], coresetSize: 90 }]);
    expect(b.built).toEqual([{ images: ['b:x', 'b:y'], views: ['b:x#0', 'b:x#1', 'b:y#0', 'b:y#1'], coresetSize: 40 }]);
    // Scoring gives both members' results; the pair names its second backbone for the store.
    const scored = await pair.score(embs[0], [{} as ReferenceSet, {} as ReferenceSet]);
    expect(scored.members!.map((m) => m.score)).toEqual(['a:x'.length, 'b:x'.length]);
    expect(pair.partnerModel).toEqual({ id: 'b', sha256: 'b-sha' });
  });
});
