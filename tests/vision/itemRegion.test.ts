/**
 * The item region: learned from good images' item masks, mapped onto any input geometry, and used by the engine
 * so a mark on the bench beside the item is not scored (real backbone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backbone } from '../../models/load.ts';
import { createEngine, type Engine } from '../../station/vision/engine.ts';
import {
  cellsOnItem,
  itemRegionFromJson,
  itemRegionToJson,
  learnItemRegion,
  type ItemRegion,
} from '../../station/vision/itemRegion.ts';
import { fitGeometry } from '../../station/vision/preprocess.ts';
import { decodeReferenceSet, encodeReferenceSet } from '../../station/vision/referenceSet.ts';
import { createRng } from '../../station/shared/random.ts';
import type { DecodedImage } from '../../station/vision/types.ts';
import { testBackbone } from './backbone.ts';

const maskOf = (w: number, h: number, inside: (x: number, y: number) => boolean) => {
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) mask[y * w + x] = inside(x, y) ? 1 : 0;
  return { width: w, height: h, mask };
};

describe('learning the item region', () => {
  it('is the union of the items seen, widened by one cell', () => {
    const r = learnItemRegion(
      [maskOf(64, 64, (x, y) => x < 16 && y < 16), maskOf(128, 128, (x, y) => x < 32 && y >= 96)],
      8,
    )!;
    const at = (x: number, y: number) => r.data[y * 8 + x];
    expect([at(0, 0), at(1, 1), at(2, 2), at(3, 3)]).toEqual([1, 1, 1, 0]); // item in cells 0-1, widened to 2
    expect([at(0, 7), at(2, 5), at(3, 7)]).toEqual([1, 1, 0]);
    expect(at(7, 0)).toBe(0);
    expect(itemRegionFromJson(itemRegionToJson(r))).toEqual(r);
  });

  it('items that fill the frame give no region: everything is scored', () => {
    expect(learnItemRegion([maskOf(32, 32, () => true)])).toBeNull();
    expect(learnItemRegion([maskOf(32, 32, () => false)])).toBeNull();
  });

  it('maps onto the grid through the fit: padding, region of interest and shape', () => {
    const region: ItemRegion = { width: 2, height: 2, data: Uint8Array.from([1, 0, 0, 0]) }; // top-left quarter of the frame
    const stride = 32;
    // A 2:1 frame padded into a 256 square: content rows 64-191; the top-left cell group covers frame x < 0.5, y < 0.5.
    const g = fitGeometry(400, 200, { size: 256, resize: 'pad', stride });
    const cells = cellsOnItem(region, 8, 8, { stride, x0: 0, y0: 0 }, g);
    expect(cells[2 * 8 + 0]).toBe(1); // cell (0, 2): centre y 80 → frame y 0.125
    expect(cells[2 * 8 + 4]).toBe(0); // cell (4, 2): frame x 0.56
    expect(cells[5 * 8 + 0]).toBe(0); // cell (0, 5): frame y 0.59
    // With a region of interest, shares are of the region: its top-left quarter.
    const roi = fitGeometry(400, 200, {
      size: 256,
      resize: 'stretch',
      stride,
      roi: { x: 0.5, y: 0, width: 0.5, height: 1 },
    });
    const r2 = cellsOnItem(region, 8, 8, { stride, x0: 0, y0: 0 }, roi);
    expect([r2[0], r2[3], r2[4], r2[4 * 8]]).toEqual([1, 1, 0, 0]);
  });
});

describe('scoring only where the item is', () => {
  let backbone: Backbone;
  let engine: Engine;
  const W = 224;
  /** A grained disc on the left of a plain bench; `scuff` draws a dark mark on the bench at the right. */
  function photo(seed: number, scuff = false): DecodedImage {
    const r = createRng(seed);
    const data = new Uint8Array(W * W * 3);
    const cx = 60 + r() * 8,
      cy = 112 + r() * 8;
    for (let y = 0; y < W; y++)
      for (let x = 0; x < W; x++) {
        const d = Math.hypot(x - cx, y - cy);
        let v = d < 48 ? 150 + 40 * Math.sin(d / 3 + seed) : 200 + (r() - 0.5) * 6;
        if (scuff && x > 196 && x < 216 && y > 100 && y < 120) v = 60;
        data.set([v, v * 0.85, v * 0.7], (y * W + x) * 3);
      }
    return { name: `p${seed}`, width: W, height: W, data };
  }
  const region = learnItemRegion([maskOf(W, W, (x, y) => Math.hypot(x - 64, y - 116) < 56)])!;

  beforeAll(async () => {
    backbone = await testBackbone();
    engine = createEngine(backbone, { threads: 1 });
  }, 120_000);
  afterAll(async () => {
    await engine?.release();
    await backbone?.session.release();
  });

  it('a scuff on the bench beside the item raises the score without a region and not with one; the region travels in the file', async () => {
    const embs = [];
    for (let s = 1; s <= 8; s++) embs.push(await engine.embed(await engine.preprocess(photo(s))));
    const names = embs.map((_, i) => `g${i}`);
    const plain = engine.buildReferenceSet(embs, names, { coresetSize: 2000, seed: 0 });
    const withRegion = decodeReferenceSet(
      encodeReferenceSet(engine.buildReferenceSet(embs, names, { coresetSize: 2000, seed: 0, itemRegion: region })),
    );
    expect(withRegion.itemRegion).toEqual(region);
    const good = await engine.embed(await engine.preprocess(photo(20)));
    const scuffed = await engine.embed(await engine.preprocess(photo(20, true)));
    const [g0, s0] = [(await engine.score(good, plain)).score, (await engine.score(scuffed, plain)).score];
    const s1 = await engine.score(scuffed, withRegion);
    // (The backbone's receptive field lets the nearest item cells glimpse the mark, so not all of it goes.)
    expect(s0).toBeGreaterThan(g0 * 1.5);
    expect(s1.score - g0).toBeLessThan(0.3 * (s0 - g0));
    // The bench cells are out of the scored mask; the item's cells are in it.
    expect(s1.scoredMask[14 * 28 + 21]).toBe(0);
    expect(s1.scoredMask[14 * 28 + 8]).toBe(1);
  }, 240_000);

  it('an item lying wholly outside the region is scored everywhere, never passed unseen', async () => {
    const far: ItemRegion = { width: 4, height: 4, data: new Uint8Array(16) }; // hand-made: no cell of the frame
    const e = await engine.embed(await engine.preprocess(photo(3)));
    const set = engine.buildReferenceSet([e], ['g'], { coresetSize: 500, seed: 0, itemRegion: far });
    const r = await engine.score(await engine.embed(await engine.preprocess(photo(4, true))), set);
    expect(r.scoredMask.reduce((a, v) => a + v, 0)).toBe(28 * 28);
  }, 120_000);
});
