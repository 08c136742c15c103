import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFECT_KINDS,
  ITEM_KINDS,
  type RenderedItem,
  encodeJpeg,
  encodePng,
  renderEmptyBench,
  renderItem,
  writeSampleProduct,
} from '../../station/demo/generate.ts';
import { dilateMask } from '../../station/demo/raster.ts';
import { contactSheet } from '../../station/demo/sheet.ts';

const sum = (m: Uint8Array): number => m.reduce((a, b) => a + b, 0);

/** Mean absolute RGB difference over the pixels where `where` is set (all pixels if null). */
function meanAbsDiff(a: Uint8Array, b: Uint8Array, where: Uint8Array | null): number {
  let total = 0;
  let count = 0;
  for (let p = 0; p < a.length / 3; p++) {
    if (where && !where[p]) continue;
    for (let c = 0; c < 3; c++) total += Math.abs(a[p * 3 + c] - b[p * 3 + c]);
    count += 3;
  }
  return count ? total / count : 0;
}

function meanColour(item: RenderedItem): [number, number, number] {
  const m = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < item.itemMask.length; p++) {
    if (!item.itemMask[p]) continue;
    for (let c = 0; c < 3; c++) m[c] += item.rgb[p * 3 + c];
    n++;
  }
  return [m[0] / n, m[1] / n, m[2] / n];
}

describe('demo item generator', () => {
  it('is deterministic per seed', () => {
    for (const kind of ITEM_KINDS) {
      for (const defect of [null, 'scratch', 'chip'] as const) {
        const a = renderItem({ kind, seed: 42, defect });
        const b = renderItem({ kind, seed: 42, defect });
        expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb)), `${kind}/${defect}`).toBe(true);
        expect(a.mask === null ? null : Buffer.from(a.mask)).toEqual(b.mask === null ? null : Buffer.from(b.mask));
      }
    }
  });

  it('varies good items between seeds (colour, grain, placement) well beyond sensor noise', () => {
    for (const kind of ITEM_KINDS) {
      const items = [1, 2, 3, 4, 5, 6].map((seed) => renderItem({ kind, seed }));
      for (let i = 0; i < items.length; i++) {
        for (let j = i + 1; j < items.length; j++) {
          const union = items[i].itemMask.map((v, p) => v | items[j].itemMask[p]);
          expect(meanAbsDiff(items[i].rgb, items[j].rgb, union), `${kind} seeds ${i + 1}/${j + 1}`).toBeGreaterThan(6);
        }
      }
      // the item's overall colour drifts from piece to piece, but stays one product
      const colours = items.map(meanColour);
      const spread = [0, 1, 2].map(
        (c) => Math.max(...colours.map((m) => m[c])) - Math.min(...colours.map((m) => m[c])),
      );
      expect(Math.max(...spread), kind).toBeGreaterThan(3);
      expect(Math.max(...spread), kind).toBeLessThan(80);
      // placement: the item's centroid moves
      const centroids = items.map((it) => {
        let sx = 0;
        let n = 0;
        it.itemMask.forEach((v, p) => {
          if (v) {
            sx += p % it.width;
            n++;
          }
        });
        return sx / n;
      });
      expect(Math.max(...centroids) - Math.min(...centroids), kind).toBeGreaterThan(2);
    }
  });

  it('draws every defect inside the item, visibly, and only where its mask says', () => {
    for (const kind of ITEM_KINDS) {
      for (const defect of DEFECT_KINDS) {
        for (const seed of [3, 11]) {
          const label = `${kind}/${defect}/seed ${seed}`;
          const good = renderItem({ kind, seed });
          const bad = renderItem({ kind, seed, defect });
          expect(bad.defect).toBe(defect);
          const mask = bad.mask as Uint8Array;
          expect(mask, label).not.toBeNull();
          const area = sum(mask);
          const itemArea = sum(good.itemMask);
          expect(area, label).toBeGreaterThan(40);
          expect(area / itemArea, label).toBeLessThan(0.15);
          // inside the (undamaged) item
          let outside = 0;
          mask.forEach((v, p) => {
            outside += v && !good.itemMask[p] ? 1 : 0;
          });
          expect(outside, label).toBe(0);
          // the defect changes the picture where it is...
          expect(meanAbsDiff(good.rgb, bad.rgb, mask), label).toBeGreaterThan(14);
          // ...and almost nowhere else (cuts also move the item's shadow a little)
          const near = dilateMask(mask, bad.width, bad.height, defect === 'chip' || defect === 'missing' ? 10 : 3);
          const inside = meanAbsDiff(good.rgb, bad.rgb, near) * sum(near);
          const all = meanAbsDiff(good.rgb, bad.rgb, null) * bad.width * bad.height;
          expect(inside / all, label).toBeGreaterThan(0.95);
        }
      }
    }
  });

  it('puts different defects in different places for different seeds', () => {
    const a = renderItem({ kind: 'glazed-tile', seed: 1, defect: 'spot' }).mask as Uint8Array;
    const b = renderItem({ kind: 'glazed-tile', seed: 2, defect: 'spot' }).mask as Uint8Array;
    let overlap = 0;
    a.forEach((v, p) => {
      overlap += v & b[p];
    });
    expect(overlap).toBeLessThan(Math.min(sum(a), sum(b)));
  });

  it('severity scales how strongly a defect shows, at the same place', () => {
    for (const defect of ['scratch', 'spot', 'crack'] as const) {
      const good = renderItem({ kind: 'glazed-tile', seed: 8 });
      const full = renderItem({ kind: 'glazed-tile', seed: 8, defect });
      const faint = renderItem({ kind: 'glazed-tile', seed: 8, defect, severity: 0.4 });
      const mask = full.mask as Uint8Array;
      expect(meanAbsDiff(good.rgb, faint.rgb, mask), defect).toBeLessThan(0.7 * meanAbsDiff(good.rgb, full.rgb, mask));
      expect(meanAbsDiff(good.rgb, faint.rgb, mask), defect).toBeGreaterThan(2);
    }
    const bigChip = sum(renderItem({ kind: 'wood-disc', seed: 8, defect: 'missing' }).mask as Uint8Array);
    const smallChip = sum(
      renderItem({ kind: 'wood-disc', seed: 8, defect: 'missing', severity: 0.4 }).mask as Uint8Array,
    );
    expect(smallChip).toBeLessThan(0.8 * bigChip);
    expect(() => renderItem({ kind: 'wood-disc', seed: 8, defect: 'spot', severity: 0 })).toThrow(/severity/);
  });

  it('renders any frame size with the item inside the frame', () => {
    const item = renderItem({ kind: 'wood-disc', seed: 5, width: 320, height: 240, defect: 'crack' });
    expect(item.rgb.length).toBe(320 * 240 * 3);
    expect(item.mask?.length).toBe(320 * 240);
    for (let x = 0; x < 320; x++) {
      expect(item.itemMask[x]).toBe(0);
      expect(item.itemMask[239 * 320 + x]).toBe(0);
    }
    expect(sum(item.itemMask)).toBeGreaterThan(0.25 * 240 * 240);
  });

  it('shows the same bench in empty frames as around the items (only sensor noise differs)', () => {
    const empty = renderEmptyBench({ seed: 9 });
    const empty2 = renderEmptyBench({ seed: 10 });
    const item = renderItem({ kind: 'glazed-tile', seed: 9 });
    const corner = new Uint8Array(256 * 256);
    for (let y = 0; y < 24; y++) for (let x = 0; x < 24; x++) corner[y * 256 + x] = 1;
    const noiseOnly = meanAbsDiff(empty.rgb, empty2.rgb, corner);
    expect(noiseOnly).toBeGreaterThan(0.3); // sensor noise is real
    expect(noiseOnly).toBeLessThan(4);
    expect(Math.abs(meanAbsDiff(empty.rgb, item.rgb, corner) - noiseOnly)).toBeLessThan(0.6);
    expect(meanAbsDiff(empty.rgb, item.rgb, item.itemMask)).toBeGreaterThan(20);
  });

  it('encodes PNG and JPEG that decode back to the rendered pixels', async () => {
    const item = renderItem({ kind: 'leather-patch', seed: 4, defect: 'spot' });
    const png = await sharp(await encodePng(item))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(png.info).toMatchObject({ width: 256, height: 256, channels: 3 });
    expect(png.data.equals(Buffer.from(item.rgb))).toBe(true);
    const jpg = await sharp(await encodeJpeg(item))
      .raw()
      .toBuffer();
    expect(meanAbsDiff(new Uint8Array(jpg), item.rgb, null)).toBeLessThan(4);
  });

  it('lays out a contact sheet: a row of good pieces, then one of each defect', async () => {
    const meta = await sharp(await contactSheet('wood-disc', { size: 96 })).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 96 * DEFECT_KINDS.length, height: 96 * 2 });
  });

  it('rejects bad options with a message naming the field', () => {
    expect(() => renderItem({ kind: 'teapot' as never, seed: 1 })).toThrow(/item kind "teapot"/);
    expect(() => renderItem({ kind: 'wood-disc', seed: Number.NaN })).toThrow(/seed/);
    expect(() => renderItem({ kind: 'wood-disc', seed: 1, width: 10 })).toThrow(/width/);
    expect(() => renderItem({ kind: 'wood-disc', seed: 1, defect: 'dent' as never })).toThrow(/defect "dent"/);
  });
});

describe('writeSampleProduct', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes good, reject and mask images that decode', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'demo-product-'));
    dirs.push(dir);
    const files = await writeSampleProduct(dir, {
      kind: 'glazed-tile',
      goodCount: 4,
      defectCount: 6,
      seed: 3,
      size: 128,
    });
    expect(files).toHaveLength(4 + 6 * 2);
    expect((await readdir(path.join(dir, 'good'))).sort()).toEqual([
      'good-000.png',
      'good-001.png',
      'good-002.png',
      'good-003.png',
    ]);
    const rejects = (await readdir(path.join(dir, 'reject'))).sort();
    expect(rejects).toHaveLength(6);
    expect(rejects).toContain('scratch-000.png');
    expect(rejects).toContain('scratch-005.png'); // defects cycle
    for (const name of rejects) {
      const stem = name.replace(/\.png$/, '');
      const mask = await sharp(path.join(dir, 'masks', `${stem}_mask.png`))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(mask.info).toMatchObject({ width: 128, height: 128 });
      const values = new Set(mask.data);
      expect([...values].every((v) => v === 0 || v === 255)).toBe(true);
      expect(values.has(255)).toBe(true);
    }
    const meta = await sharp(files[0]).metadata();
    expect(meta).toMatchObject({ width: 128, height: 128, format: 'png' });
    // no temporary files left behind
    expect((await readdir(path.join(dir, 'good'))).some((f) => f.includes('.tmp'))).toBe(false);
  });

  it('refuses a bad count', async () => {
    await expect(
      writeSampleProduct('/tmp/never', { kind: 'wood-disc', goodCount: -1, defectCount: 0 }),
    ).rejects.toThrow(/goodCount/);
  });
});
