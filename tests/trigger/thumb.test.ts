// The colour thumbnail and difference helpers the trigger relies on.
import { describe, expect, it } from 'vitest';
import { changedFraction, roiBounds, toThumb } from '../../station/trigger/thumb.ts';

function solid(
  width: number,
  height: number,
  rgb: [number, number, number],
): { width: number; height: number; data: Buffer } {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

const pixel = (t: { width: number; rgb: Uint8Array }, x: number, y: number) => [
  ...t.rgb.subarray((y * t.width + x) * 3, (y * t.width + x) * 3 + 3),
];

describe('toThumb', () => {
  it('keeps the aspect ratio and the colour', () => {
    const t = toThumb(solid(640, 480, [255, 0, 0]), 160);
    expect([t.width, t.height]).toEqual([160, 120]);
    expect(t.rgb).toHaveLength(160 * 120 * 3);
    expect(pixel(t, 17, 33)).toEqual([255, 0, 0]);
    expect(toThumb(solid(1920, 1080, [0, 0, 255])).height).toBe(90);
    expect(toThumb(solid(100, 50, [0, 255, 0]), 160).width).toBe(100); // never upscales
  });

  it('averages each box, so single-pixel noise is damped', () => {
    const f = solid(640, 480, [100, 100, 100]);
    f.data.fill(255, 0, 3); // one white pixel in the first 4×4 box
    const t = toThumb(f, 160);
    expect(t.rgb[0]).toBeGreaterThan(100);
    expect(t.rgb[0]).toBeLessThan(115);
    expect(pixel(t, 1, 0)).toEqual([100, 100, 100]);
  });

  it('places a bright square where it is in the frame', () => {
    const f = solid(320, 240, [0, 0, 0]);
    for (let y = 120; y < 240; y++) for (let x = 160; x < 320; x++) f.data.set([255, 255, 255], (y * 320 + x) * 3);
    const t = toThumb(f, 32);
    expect(pixel(t, 0, 0)).toEqual([0, 0, 0]);
    expect(pixel(t, 31, 23)).toEqual([255, 255, 255]);
    expect(pixel(t, 16, 12)).toEqual([255, 255, 255]);
    expect(pixel(t, 15, 11)).toEqual([0, 0, 0]);
  });
});

describe('roiBounds / changedFraction', () => {
  it('counts changed pixels only inside the ROI', () => {
    const t = { width: 10, height: 10 };
    const b = roiBounds(t, { x: 0.5, y: 0, width: 0.5, height: 0.5 });
    expect(b).toEqual({ x0: 5, y0: 0, x1: 10, y1: 5 });
    const a = new Uint8Array(300);
    const c = new Uint8Array(300);
    c[0] = 200; // pixel 0, outside
    c[7 * 3 + 2] = 200; // pixel 7 (blue channel only), inside
    expect(changedFraction(a, c, 10, b, 25)).toBeCloseTo(1 / 25);
    expect(changedFraction(a, c, 10, roiBounds(t), 25)).toBeCloseTo(2 / 100);
    expect(changedFraction(a, c, 10, roiBounds(t), 250)).toBe(0);
  });

  it('sees an item as bright as the bench but of another colour', () => {
    // Teal glaze and a warm grey bench with the same BT.601 luma (about 128): a grey thumbnail sees no change.
    const bench = toThumb(solid(64, 48, [128, 128, 128]), 16);
    const teal = toThumb(solid(64, 48, [60, 150, 175]), 16);
    const luma = (p: number[]) => (p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8;
    expect(Math.abs(luma(pixel(teal, 0, 0)) - luma(pixel(bench, 0, 0)))).toBeLessThan(28);
    expect(changedFraction(bench.rgb, teal.rgb, 16, roiBounds(bench), 28)).toBe(1);
  });
});
