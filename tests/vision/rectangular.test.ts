/**
 * The engine on a rectangular input: items photographed in a tall 2:5 frame, fitted at their own aspect instead
 * of a square. Real backbone; the grid, the anomaly map, the reference set and the heatmap all stay rectangular.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backbone } from '../../models/load.ts';
import { encodePng, renderItem } from '../../station/demo/generate.ts';
import { createEngine, type Engine } from '../../station/vision/engine.ts';
import { aurocFromGroups } from '../../station/vision/metrics.ts';
import { decodeReferenceSet, encodeReferenceSet, type ReferenceSet } from '../../station/vision/referenceSet.ts';
import { testBackbone } from './backbone.ts';

const W = 128,
  H = 320;
let backbone: Backbone;
let engine: Engine;
let set: ReferenceSet;

beforeAll(async () => {
  backbone = await testBackbone();
  engine = createEngine(backbone, { threads: 1, size: 320, aspect: W / H });
  const embs = [];
  for (let seed = 1; seed <= 24; seed++)
    embs.push(
      await engine.embedImage(
        await encodePng(renderItem({ kind: 'leather-patch', seed, width: W, height: H })),
        `g${seed}`,
      ),
    );
  set = engine.buildReferenceSet(
    embs,
    embs.map((_, i) => `g${i}`),
    { coresetSize: 3000, seed: 0 },
  );
}, 240_000);

afterAll(async () => {
  await engine?.release();
  await backbone?.session.release();
});

describe('rectangular input', () => {
  it('embeds on a tall grid: width 128 (aspect 0.4 of 320, rounded to the stride 32), every cell on content', async () => {
    const e = await engine.embedImage(
      await encodePng(renderItem({ kind: 'leather-patch', seed: 50, width: W, height: H })),
      'probe',
    );
    expect([e.geometry.inputWidth, e.geometry.inputHeight]).toEqual([128, 320]);
    expect([e.gridW, e.gridH]).toEqual([16, 40]);
    expect(e.contentMask.every((v) => v === 1)).toBe(true);
    expect(set.coreset.sourcePatches).toBe(24 * 16 * 40);
  });

  it('the anomaly map keeps the frame shape and its peak lies on the defect; defects outscore good items', async () => {
    const good: number[] = [],
      bad: number[] = [];
    for (let i = 0; i < 6; i++) {
      const g = await engine.inspect(
        await encodePng(renderItem({ kind: 'leather-patch', seed: 100 + i, width: W, height: H })),
        'good',
        set,
      );
      expect([g.anomalyMap.width, g.anomalyMap.height]).toEqual([128, 320]);
      good.push(g.score);
      const item = renderItem({
        kind: 'leather-patch',
        seed: 200 + i,
        width: W,
        height: H,
        defect: i % 2 ? 'spot' : 'chip',
      });
      const r = await engine.inspect(await encodePng(item), 'bad', set);
      bad.push(r.score);
      const m = r.anomalyMap;
      let best = 0;
      for (let k = 1; k < m.data.length; k++) if (m.data[k] > m.data[best]) best = k;
      const x = Math.floor(((best % m.width) + 0.5) * (W / m.width)),
        y = Math.floor((Math.floor(best / m.width) + 0.5) * (H / m.height));
      let near = false;
      for (let yy = Math.max(0, y - 10); yy <= Math.min(H - 1, y + 10); yy++)
        for (let xx = Math.max(0, x - 10); xx <= Math.min(W - 1, x + 10); xx++) near ||= item.mask![yy * W + xx] === 1;
      expect(near, `${item.defect} peak at (${x}, ${y})`).toBe(true);
    }
    expect(aurocFromGroups(bad, good)).toBeGreaterThanOrEqual(0.9);
  });

  it('the reference set keeps the aspect, and a square engine refuses it', async () => {
    const back = decodeReferenceSet(encodeReferenceSet(set));
    expect(back.settings.aspect).toBeCloseTo(0.4);
    const square = createEngine(backbone, { threads: 1, size: 320 });
    const e = await square.embedImage(
      await encodePng(renderItem({ kind: 'leather-patch', seed: 9, width: W, height: H })),
      'x',
    );
    await expect(square.score(e, back)).rejects.toThrow(/other feature settings \(aspect: 0\.4 vs 1\)/);
    await square.release();
  });
});
