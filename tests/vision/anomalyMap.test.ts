import { describe, expect, it } from 'vitest';
import { buildAnomalyMap, gaussianBlur, gridToPixels, resizeBilinear } from '../../station/vision/anomalyMap.ts';
import { fitGeometry } from '../../station/vision/preprocess.ts';
import type { GridPlacement, InputGeometry } from '../../station/vision/types.ts';

describe('anomaly map', () => {
  it('blur keeps a constant map constant and spreads a spike symmetrically', () => {
    const c = gaussianBlur(new Float32Array(30 * 20).fill(3), 30, 20, 4);
    expect(Math.max(...c.map((v) => Math.abs(v - 3)))).toBeLessThan(1e-5);
    const spike = new Float32Array(41 * 41);
    spike[20 * 41 + 20] = 1;
    const b = gaussianBlur(spike, 41, 41, 2);
    expect(b[20 * 41 + 20]).toBeCloseTo(1 / (2 * Math.PI * 4), 2);
    expect(b[20 * 41 + 17]).toBeCloseTo(b[20 * 41 + 23], 7);
    expect(b[17 * 41 + 20]).toBeCloseTo(b[20 * 41 + 17], 7);
    expect(b.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 4);
  });

  it('blur of a non-square map equals a direct 2-D convolution with clamped edges', () => {
    const w = 13,
      h = 7,
      sigma = 1.5;
    const src = Float32Array.from({ length: w * h }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 5));
    const r = Math.ceil(3 * sigma);
    const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
    const ks = k.reduce((a, b) => a + b, 0);
    const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
    const b = gaussianBlur(src, w, h, sigma);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let j = -r; j <= r; j++)
          for (let i = -r; i <= r; i++) s += k[i + r] * k[j + r] * src[clamp(y + j, h) * w + clamp(x + i, w)];
        expect(b[y * w + x]).toBeCloseTo(s / (ks * ks), 4);
      }
    }
  });

  it('bilinear resize of a 2-D plane with different x and y scales is exact at pixel centres', () => {
    const sw = 5,
      sh = 3,
      dw = 12,
      dh = 9;
    const plane = (x: number, y: number) => 2 * x - 3 * y + 1;
    const src = Float32Array.from({ length: sw * sh }, (_, i) => plane(i % sw, Math.floor(i / sw)));
    const up = resizeBilinear(src, sw, sh, dw, dh);
    for (let y = 0; y < dh; y++) {
      for (let x = 0; x < dw; x++) {
        const fx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / dw - 0.5));
        const fy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / dh - 0.5));
        expect(up[y * dw + x]).toBeCloseTo(plane(fx, fy), 5);
      }
    }
  });

  it('bilinear resize keeps values of a linear ramp at pixel centres', () => {
    const src = Float32Array.from([0, 1, 2, 3]);
    const up = resizeBilinear(src, 4, 1, 8, 1);
    expect(up[2]).toBeCloseTo(0.75, 6);
    expect(up[3]).toBeCloseTo(1.25, 6);
    expect(up[0]).toBe(0);
  });

  it('a centred, smaller grid (valid-padded backbones) maps cell centres to the right pixels', () => {
    // 2×1 cells of stride 8 on a 40-px input, grid centred: x0 = (40 - 16) / 2 = 12, centres at 16 and 24.
    const px = gridToPixels(Float32Array.from([1, 5]), 2, 1, 40, 1, { stride: 8, x0: 12, y0: -3.5 });
    expect(px[15]).toBe(1); // pixel centre 15.5: left of the first cell centre, clamped
    expect(px[16]).toBeCloseTo(1.25, 6); // pixel centre 16.5: 1/16 of the way to the next cell
    expect(px[0]).toBe(1);
    expect(px[39]).toBe(5);
    expect(px[19]).toBeCloseTo(1 + (4 * (19.5 - 16)) / 8, 5);
  });

  it('the hot patch becomes the map peak at the matching place, padding excluded', () => {
    const g = fitGeometry(400, 200, { size: 224, resize: 'pad' }); // content rows 56..167
    const grid = new Float32Array(28 * 28).fill(1);
    grid[10 * 28 + 20] = 9; // cell centre at input (164, 84)
    grid[2 * 28 + 3] = 50; // in the padding: must not count
    const { score, anomalyMap } = buildAnomalyMap(grid, 28, 28, g, { sigma: 4 });
    expect([anomalyMap.width, anomalyMap.height]).toEqual([224, 112]);
    let best = 0;
    for (let i = 1; i < anomalyMap.data.length; i++) if (anomalyMap.data[i] > anomalyMap.data[best]) best = i;
    const x = best % 224,
      y = Math.floor(best / 224);
    expect(Math.abs(x - 164)).toBeLessThanOrEqual(2);
    expect(Math.abs(y + 56 - 84)).toBeLessThanOrEqual(2);
    expect(score).toBe(anomalyMap.data[best]);
    expect(score).toBeLessThan(9);
    expect(score).toBeGreaterThan(2);
  });
});

describe('buildAnomalyMap against the step-by-step path', () => {
  // The reference: upsample to the whole input, crop to the content, then blur (what the map is defined as).
  function stepByStep(
    grid: Float32Array,
    gw: number,
    gh: number,
    g: InputGeometry,
    sigma: number,
    cells?: GridPlacement,
  ) {
    const { inputWidth: iw, inputHeight: ih, content: c } = g;
    const up = cells ? gridToPixels(grid, gw, gh, iw, ih, cells) : resizeBilinear(grid, gw, gh, iw, ih);
    const crop = new Float32Array(c.width * c.height);
    for (let y = 0; y < c.height; y++)
      crop.set(up.subarray((c.y + y) * iw + c.x, (c.y + y) * iw + c.x + c.width), y * c.width);
    return gaussianBlur(crop, c.width, c.height, sigma);
  }
  const cases: [string, InputGeometry, number, number, number, GridPlacement | undefined][] = [
    ['pad, same-padded grid', fitGeometry(640, 480, { size: 224, resize: 'pad' }), 28, 28, 4, undefined],
    [
      'stretch, valid-padded grid (InceptionV3)',
      fitGeometry(311, 97, { size: 224, resize: 'stretch' }),
      25,
      25,
      4,
      { stride: 8, x0: 12, y0: 12 },
    ],
    [
      'crop, small sigma',
      fitGeometry(300, 500, { size: 224, resize: 'crop' }),
      14,
      14,
      1.5,
      { stride: 16, x0: 0, y0: 0 },
    ],
    ['tall pad, no smoothing', fitGeometry(90, 400, { size: 224, resize: 'pad' }), 28, 28, 0, undefined],
  ];
  for (const [name, g, gw, gh, sigma, cells] of cases) {
    it(name, () => {
      let seed = 7;
      const grid = Float32Array.from(
        { length: gw * gh },
        () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 5,
      );
      const want = stepByStep(grid, gw, gh, g, sigma, cells);
      const { score, anomalyMap } = buildAnomalyMap(grid, gw, gh, g, { sigma }, cells);
      expect([anomalyMap.width, anomalyMap.height]).toEqual([g.content.width, g.content.height]);
      let worst = 0,
        max = -Infinity;
      for (let i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(anomalyMap.data[i] - want[i]));
        max = Math.max(max, want[i]);
      }
      expect(worst).toBeLessThan(1e-5);
      expect(score).toBeCloseTo(max, 5);
    });
  }
});
