/**
 * A bank knows which good image each row came from (its views count as the image), and withoutImages takes an
 * image's rows out. Real backbone, generated items.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backbone } from '../../models/load.ts';
import { encodePng, renderItem } from '../../station/demo/generate.ts';
import { createEngine, type Engine } from '../../station/vision/engine.ts';
import { decodeImage } from '../../station/vision/preprocess.ts';
import { decodeReferenceSet, encodeReferenceSet } from '../../station/vision/referenceSet.ts';
import type { PatchEmbedding } from '../../station/vision/types.ts';
import { withoutImages } from '../../station/vision/withoutImages.ts';
import { testBackbone } from './backbone.ts';

let backbone: Backbone;
let engine: Engine;
const names = ['a.png', 'b.png', 'c.png'];
const embs: PatchEmbedding[] = [];
const views: PatchEmbedding[][] = [];

beforeAll(async () => {
  backbone = await testBackbone();
  engine = createEngine(backbone, { threads: 1 });
  for (const [i, name] of names.entries()) {
    const png = await encodePng(renderItem({ kind: 'leather-patch', seed: 30 + i, width: 160, height: 160 }));
    const img = await decodeImage(png, name);
    embs.push(await engine.embed(await engine.preprocess(img)));
    views.push(await engine.embedViews(img, 'flips'));
  }
}, 120_000);
afterAll(async () => {
  await engine?.release();
  await backbone?.session.release();
});

/** The content patches of an image and its views, each as a key. */
function patchKeys(i: number): Set<string> {
  const keys = new Set<string>();
  for (const e of [embs[i], ...views[i]]) {
    for (let p = 0; p < e.contentMask.length; p++)
      if (e.contentMask[p]) keys.add(Array.from(e.patches.subarray(p * e.dim, (p + 1) * e.dim)).join(','));
  }
  return keys;
}
const rowKey = (bank: Float32Array, r: number, dim: number) =>
  Array.from(bank.subarray(r * dim, (r + 1) * dim)).join(',');

describe('withoutImages', () => {
  it("knows each bank row's image, and takes one image's rows (its views' too) and embedding out", () => {
    const set = engine.buildReferenceSet(embs, names, { coresetSize: 600, seed: 3, views });
    const keys = names.map((_, i) => patchKeys(i));
    expect(set.bankImages).toHaveLength(set.bankSize);
    for (let r = 0; r < set.bankSize; r++)
      expect(keys[set.bankImages![r]].has(rowKey(set.bank, r, set.dim))).toBe(true);
    const ofB = Array.from(set.bankImages!).filter((i) => i === 1).length;
    expect(ofB).toBeGreaterThan(0);

    const pruned = withoutImages(set, new Set(['b.png']));
    expect(pruned.images.names).toEqual(['a.png', 'c.png']);
    expect(pruned.bankSize).toBe(set.bankSize - ofB);
    expect(Array.from(pruned.images.embeddings)).toEqual([
      ...set.images.embeddings.subarray(0, set.dim),
      ...set.images.embeddings.subarray(2 * set.dim, 3 * set.dim),
    ]);
    const left = [keys[0], keys[2]];
    for (let r = 0; r < pruned.bankSize; r++) {
      const key = rowKey(pruned.bank, r, pruned.dim);
      expect(left[pruned.bankImages![r]].has(key)).toBe(true);
      expect(keys[1].has(key)).toBe(false);
    }
    expect(withoutImages(set, new Set(['not-there.png']))).toBe(set);
  });

  it('refuses a set read from a file (its rows do not say where they came from)', () => {
    const set = engine.buildReferenceSet(embs, names, { coresetSize: 300, seed: 3 });
    const read = decodeReferenceSet(encodeReferenceSet(set));
    expect(read.bankImages).toBeUndefined();
    expect(() => withoutImages(read, new Set(['a.png']))).toThrow(/read from a file .* rebuild/);
  });
});
