import { describe, expect, it } from 'vitest';
import { type ItemShape, forEachCovered, lampDirection, lampSpot, rimFacing } from '../../station/demo/itemKit.ts';
import { benchLook } from '../../station/demo/bench.ts';

const disc = (cx: number, cy: number, r: number, angle = 0): ItemShape => ({
  cx,
  cy,
  angle,
  size: r,
  breakAngles: null,
  sdf: (x, y) => Math.sqrt((x - cx) ** 2 + (y - cy) ** 2) - r,
});

describe('demo item helpers', () => {
  it('rimFacing is +1 on the side towards the lamp and −1 on the far side', () => {
    const bench = { ...benchLook(7), lightX: 0.9, lightY: 0.5 };
    const lamp = lampDirection(bench, 100, 100, 50, 50);
    const shape = disc(50, 50, 20);
    expect(rimFacing(shape, 70, 50, lamp)).toBeCloseTo(1, 5);
    expect(rimFacing(shape, 30, 50, lamp)).toBeCloseTo(-1, 5);
    expect(Math.abs(rimFacing(shape, 50, 70, lamp))).toBeLessThan(1e-6);
  });

  it('forEachCovered visits only covered pixels, with offsets in the rotated item axes', () => {
    const w = 8,
      h = 6;
    const cover = new Float32Array(w * h);
    cover[2 * w + 5] = 1; // (5, 2)
    cover[4 * w + 1] = 0.5; // (1, 4)
    const seen: number[][] = [];
    forEachCovered(cover, w, h, disc(3, 3, 2, Math.PI / 2), (p, x, y, u, v) => seen.push([p, x, y, u, v]));
    expect(seen.map((s) => s.slice(0, 3))).toEqual([
      [2 * w + 5, 5, 2],
      [4 * w + 1, 1, 4],
    ]);
    // rotated by 90°: u = dy, v = −dx
    expect(seen[0][3]).toBeCloseTo(-1, 9);
    expect(seen[0][4]).toBeCloseTo(-2, 9);
    expect(seen[1][3]).toBeCloseTo(1, 9);
    expect(seen[1][4]).toBeCloseTo(2, 9);
  });

  it('lampSpot is `strength` at its centre and falls off as a gaussian of the given radius', () => {
    const spot = lampSpot(10, 20, 4, 0.2);
    expect(spot(10, 20)).toBeCloseTo(0.2, 12);
    expect(spot(14, 20)).toBeCloseTo(0.2 * Math.exp(-0.5), 12);
    expect(spot(10, 12)).toBeCloseTo(0.2 * Math.exp(-2), 12);
  });
});
