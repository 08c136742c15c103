/**
 * The engine end to end on generated items (station/demo): wood discs with natural variation in grain, hue and
 * placement; defects drawn in (scratch, spot, chip, crack). Real backbone, real ONNX sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backbone } from '../../models/load.ts';
import { encodePng, renderItem, type DefectKind } from '../../station/demo/generate.ts';
import { createEngine, type Engine } from '../../station/vision/engine.ts';
import { nearestExamples } from '../../station/verdict/explain.ts';
import { aurocFromGroups } from '../../station/vision/metrics.ts';
import { decodeReferenceSet, encodeReferenceSet, type ReferenceSet } from '../../station/vision/referenceSet.ts';
import { testBackbone } from './backbone.ts';

const SIZE = 256;
const KIND = 'wood-disc' as const;
const DEFECTS: DefectKind[] = ['scratch', 'spot', 'chip', 'crack'];

let backbone: Backbone;
let engine: Engine;
let set: ReferenceSet;
const trainNames: string[] = [];

interface Probe {
  name: string;
  png: Buffer;
  mask: Uint8Array | null;
}
const probes: Probe[] = [];

/** Is (x, y) within r pixels of a mask pixel? */
function nearMask(mask: Uint8Array, w: number, h: number, x: number, y: number, r: number): boolean {
  for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) if (mask[yy * w + xx]) return true;
  }
  return false;
}

beforeAll(async () => {
  backbone = await testBackbone();
  engine = createEngine(backbone, { threads: 1 });
  const embeddings = [];
  for (let seed = 1; seed <= 24; seed++) {
    const name = `good-${seed}.png`;
    embeddings.push(
      await engine.embedImage(await encodePng(renderItem({ kind: KIND, seed, width: SIZE, height: SIZE })), name),
    );
    trainNames.push(name);
  }
  set = engine.buildReferenceSet(embeddings, trainNames, { coresetSize: 4000, seed: 0 });
  for (let seed = 101; seed <= 108; seed++) {
    probes.push({
      name: `good-${seed}.png`,
      png: await encodePng(renderItem({ kind: KIND, seed, width: SIZE, height: SIZE })),
      mask: null,
    });
  }
  for (let i = 0; i < 12; i++) {
    const item = renderItem({
      kind: KIND,
      seed: 201 + i,
      width: SIZE,
      height: SIZE,
      defect: DEFECTS[i % DEFECTS.length],
    });
    probes.push({ name: `${item.defect}-${201 + i}.png`, png: await encodePng(item), mask: item.mask });
  }
}, 240_000);

afterAll(async () => {
  await engine?.release();
  await backbone?.session.release();
});

describe('engine on generated items', () => {
  it('builds a coreset bank from the good images', () => {
    expect(set.bankSize).toBe(4000);
    expect(set.coreset.sourcePatches).toBe(24 * 28 * 28);
    expect(set.bank.length).toBe(4000 * set.dim);
    expect(set.model.sha256).toBe(backbone.manifest.sha256);
  });

  it('separates defective from good items (image AUROC ≥ 0.9) and the heatmap peak lies on the defect', async () => {
    const good: number[] = [],
      bad: number[] = [];
    const misplaced: string[] = [];
    for (const p of probes) {
      const r = await engine.inspect(p.png, p.name, set);
      expect(r.anomalyMap.data.length).toBe(r.anomalyMap.width * r.anomalyMap.height);
      (p.mask ? bad : good).push(r.score);
      if (!p.mask) continue;
      // Peak of the map → original pixel. Tolerance: 6 px (the patch grid has 9 px cells here).
      const m = r.anomalyMap;
      let best = 0;
      for (let i = 1; i < m.data.length; i++) if (m.data[i] > m.data[best]) best = i;
      const x = Math.floor((((best % m.width) + 0.5) * SIZE) / m.width);
      const y = Math.floor(((Math.floor(best / m.width) + 0.5) * SIZE) / m.height);
      if (!nearMask(p.mask, SIZE, SIZE, x, y, 6)) misplaced.push(`${p.name} peak at (${x}, ${y})`);
    }
    const auroc = aurocFromGroups(bad, good);
    expect(
      auroc,
      `good ${good.map((s) => s.toFixed(2))} defective ${bad.map((s) => s.toFixed(2))}`,
    ).toBeGreaterThanOrEqual(0.9);
    expect(misplaced).toEqual([]);
  });

  it('scores identically after the reference set goes through its file format', async () => {
    const back = decodeReferenceSet(encodeReferenceSet(set), { expectedModel: backbone.manifest });
    const p = probes[probes.length - 1];
    const a = await engine.inspect(p.png, p.name, set);
    const b = await engine.inspect(p.png, p.name, back);
    expect(b.score).toBe(a.score);
    expect(Buffer.from(b.patchScores.buffer).equals(Buffer.from(a.patchScores.buffer))).toBe(true);
  });

  it('refuses a reference set from another backbone or other feature settings', async () => {
    const p = probes[0];
    const foreign = { ...set, model: { id: 'other-net', sha256: '0'.repeat(64) } };
    await expect(engine.inspect(p.png, p.name, foreign)).rejects.toThrow(
      /built with backbone other-net .* rebuild the reference set/,
    );
    const other = createEngine(backbone, { threads: 1, dim: 64 });
    await expect(other.score(await other.embedImage(p.png, p.name), set)).rejects.toThrow(
      /other feature settings \(dim: 128 vs 64\)/,
    );
    await other.release();
  });

  it('its image embeddings find the nearest good references (verdict/explain on a real reference set)', async () => {
    const emb = await engine.embedImage(
      await encodePng(renderItem({ kind: KIND, seed: 3, width: SIZE, height: SIZE })),
      'again-3.png',
    );
    const near = nearestExamples(emb.imageEmbedding, set.images.embeddings, set.images.names, 3);
    expect(near[0].name).toBe('good-3.png');
    expect(near[0].distance).toBeLessThan(near[1].distance);
  });

  it('a 4:3 frame is stretched over the whole grid by default', async () => {
    const frame = await encodePng(renderItem({ kind: KIND, seed: 301, width: 320, height: 240 }));
    const r = await engine.inspect(frame, 'frame-4x3.png', set);
    expect(engine.settings.resize).toBe('stretch');
    expect(r.embedding.contentMask.reduce((a, b) => a + b, 0)).toBe(28 * 28);
    expect([r.anomalyMap.width, r.anomalyMap.height]).toEqual([224, 224]);
    expect(r.anomalyMap.region).toEqual({ x: 0, y: 0, width: 320, height: 240 });
    expect(Number.isFinite(r.score)).toBe(true);
  });

  it('with resize pad, a 4:3 frame is padded into the square input and only its content is scored and mapped', async () => {
    const padded = createEngine(backbone, { threads: 1, resize: 'pad' });
    try {
      const good = [];
      for (let seed = 1; seed <= 3; seed++)
        good.push(
          await padded.embedImage(
            await encodePng(renderItem({ kind: KIND, seed, width: 320, height: 240 })),
            `good-${seed}.png`,
          ),
        );
      const padSet = padded.buildReferenceSet(good, ['good-1.png', 'good-2.png', 'good-3.png'], {
        coresetSize: 500,
        seed: 0,
      });
      const frame = await encodePng(renderItem({ kind: KIND, seed: 301, width: 320, height: 240 }));
      const r = await padded.inspect(frame, 'frame-4x3.png', padSet);
      expect(r.embedding.contentMask.reduce((a, b) => a + b, 0)).toBe(28 * 21);
      expect([r.anomalyMap.width, r.anomalyMap.height]).toEqual([224, 168]);
      expect(r.anomalyMap.region).toEqual({ x: 0, y: 0, width: 320, height: 240 });
      expect(Number.isFinite(r.score)).toBe(true);
    } finally {
      await padded.release();
    }
  });

  it('names the file when an image cannot be inspected', async () => {
    await expect(engine.inspect(Buffer.from('not an image'), 'bench/cam-07.jpg', set)).rejects.toThrow(
      /bench\/cam-07\.jpg: not a readable image/,
    );
  });
});
