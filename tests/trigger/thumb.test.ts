// The grey thumbnail and difference helpers the trigger relies on.
import { describe, expect, it } from 'vitest';
import { changedFraction, roiBounds, toThumb } from '../../station/trigger/thumb.ts';

function solid(width: number, height: number, rgb: [number, number, number]): { width: number; height: number; data: Buffer } {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

describe('toThumb', () => {
  it('keeps the aspect ratio and gives BT.601 luma', () => {
    const t = toThumb(solid(640, 480, [255, 0, 0]), 160);
    expect([t.width, t.height]).toEqual([160, 120]);
    expect(t.gray.every((v) => v === 76)).toBe(true); // 255 * 77 / 256
    expect(toThumb(solid(1920, 1080, [0, 0, 255])).height).toBe(90);
    expect(toThumb(solid(100, 50, [0, 255, 0]), 160).width).toBe(100); // never upscales
  });

  it('averages each box, so single-pixel noise is damped', () => {
    const f = solid(640, 480, [100, 100, 100]);
    f.data.fill(255, 0, 3); // one white pixel in the first 4×4 box
    const t = toThumb(f, 160);
    expect(t.gray[0]).toBeGreaterThan(100);
    expect(t.gray[0]).toBeLessThan(115);
    expect(t.gray[1]).toBe(100); // weights sum to 256: grey stays grey
  });

  it('places a bright square where it is in the frame', () => {
    const f = solid(320, 240, [0, 0, 0]);
    for (let y = 120; y < 240; y++) for (let x = 160; x < 320; x++) f.data.set([255, 255, 255], (y * 320 + x) * 3);
    const t = toThumb(f, 32);
    expect(t.gray[0]).toBe(0);
    expect(t.gray[t.gray.length - 1]).toBe(255);
    expect(t.gray[12 * 32 + 16]).toBe(255);
    expect(t.gray[11 * 32 + 15]).toBe(0);
  });
});

describe('roiBounds / changedFraction', () => {
  it('counts changed pixels only inside the ROI', () => {
    const t = { width: 10, height: 10 };
    const b = roiBounds(t, { x: 0.5, y: 0, width: 0.5, height: 0.5 });
    expect(b).toEqual({ x0: 5, y0: 0, x1: 10, y1: 5 });
    const a = new Uint8Array(100);
    const c = new Uint8Array(100);
    c[0] = 200; // outside
    c[7] = 200; // inside
    expect(changedFraction(a, c, 10, b, 25)).toBeCloseTo(1 / 25);
    expect(changedFraction(a, c, 10, roiBounds(t), 25)).toBeCloseTo(2 / 100);
    expect(changedFraction(a, c, 10, roiBounds(t), 250)).toBe(0);
  });
});
