import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { maskOnItem, PixelTally } from '../../scripts/lib/pixelTally.ts';
import type { AnomalyMap } from '../../station/vision/types.ts';
import { drawScrew } from '../vision/screws.ts';

// Pixel figures on drawn screws: a defect mask on the screw counts, one on the bench is named and left out of the
// second figure.
const dir = mkdtempSync(path.join(tmpdir(), 'pixel-tally-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 160,
  H = 120;
const screw = drawScrew({
  width: W,
  height: H,
  angle: 0.3,
  cx: 80,
  cy: 60,
  seed: 3,
  head: 14,
  reach: 40,
  tip: 55,
  half: 5,
});
const photo = () =>
  sharp(Buffer.from(screw.data), { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toBuffer();

/** A frame-filling texture: no bench anywhere. */
const surface = () =>
  sharp(Buffer.from(new Uint8Array(W * H * 3).map((_, i) => 60 + ((i * 7919) % 140))), {
    raw: { width: W, height: H, channels: 3 },
  })
    .png()
    .toBuffer();

/** A disc of radius r at (x, y): 1 inside. */
function disc(x: number, y: number, r: number): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) if ((i - x) ** 2 + (j - y) ** 2 <= r * r) m[j * W + i] = 1;
  return m;
}

async function maskFile(name: string, m: Uint8Array): Promise<string> {
  const file = path.join(dir, name);
  await sharp(Buffer.from(m.map((v) => v * 255)), { raw: { width: W, height: H, channels: 1 } })
    .png()
    .toFile(file);
  return file;
}

/** A map that is high exactly on `hot` (full-frame region). */
const mapOf = (hot: Uint8Array): AnomalyMap => ({
  width: W,
  height: H,
  data: Float32Array.from(hot, (v, i) => v * 5 + (i % 7) * 0.01),
  region: { x: 0, y: 0, width: W, height: H },
});

// On the shank (0.3 rad from the centre towards the tip) and on the bench far from the screw.
const onShank = disc(80 + 25 * Math.cos(0.3), 60 + 25 * Math.sin(0.3), 4);
const onBench = disc(20, 105, 6);

describe('pixel figures', () => {
  it('finds where a mask lies: on the drawn screw, on the bench, and anywhere on a frame-filling surface', async () => {
    const png = await photo();
    expect((await maskOnItem(png, 'screw.png', onShank, W, H)).share).toBeGreaterThan(0.9);
    expect((await maskOnItem(png, 'screw.png', onBench, W, H)).share).toBeLessThan(0.1);
    expect(await maskOnItem(await surface(), 'surface.png', onBench, W, H)).toEqual({ share: 1, cover: 1 });
  });

  /** A defective photo whose map is hot on `hot` and whose mask file says `mask` (null: a good photo). */
  const addTo = async (tally: PixelTally, name: string, hot: Uint8Array, mask: Uint8Array | null, png: Buffer) =>
    tally.add(
      mapOf(hot),
      { width: W, height: H },
      { file: name, defective: mask !== null, mask: mask && (await maskFile(name, mask)) },
      png,
    );

  it('counts a mask on the bench and leaves its image out of the on-item figure', async () => {
    const png = await photo();
    const tally = new PixelTally(256);
    // A defect found where its mask says, one whose mask lies on the bench (the map is hot on the screw instead),
    // and a good image.
    await addTo(tally, 'a.png', onShank, onShank, png);
    await addTo(tally, 'b.png', onShank, onBench, png);
    await addTo(tally, 'g.png', new Uint8Array(W * H), null, png);
    const f = tally.figures(3);
    expect(f.pixelMasks).toBe('2/3');
    expect(f.masksOffItem).toBe(1);
    expect(f.pixelAurocOnItem).toBe(1);
    expect(f.pixelAuroc).toBeLessThan(0.8);
  });

  it('gives no second figure when every mask lies on the item', async () => {
    const tally = new PixelTally(256);
    await addTo(tally, 'c.png', onShank, onShank, await photo());
    const f = tally.figures(1);
    expect(f.masksOffItem).toBe(0);
    expect(f.pixelAurocOnItem).toBeNull();
    expect(f.pixelAuroc).toBe(1);
  });

  it('doubts no mask when the photos are a surface: the item detection on one of them is not believed', async () => {
    const tally = new PixelTally(256);
    const texture = await surface();
    await addTo(tally, 's1.png', onBench, onBench, texture);
    await addTo(tally, 's2.png', onBench, onBench, texture);
    await addTo(tally, 's3.png', onShank, onBench, await photo());
    const f = tally.figures(3);
    expect(f.masksOffItem).toBe(0);
    expect(f.pixelAurocOnItem).toBeNull();
    expect(f.pixelAuroc).toBeLessThan(0.9);
  });
});
