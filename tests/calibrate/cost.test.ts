/** The backbone cost model the latency budget is judged on: the fit, and a measurement on the real backbone. */
import { describe, expect, it } from 'vitest';
import { fitCost, KNN_MS_PER_PATCH_ROW, knnMs, predictMs } from '../../station/calibrate/tune/cost.ts';
import { measureCaptureCost } from '../../station/calibrate/tune/measureCost.ts';
import { useTestBackbone } from '../vision/backbone.ts';

describe('cost model', () => {
  it('recovers the line through exact timings', () => {
    const points = [50_176, 200_704, 409_600].map((inputPixels) => ({
      inputPixels,
      ms: 12 + (150 * inputPixels) / 1e6,
    }));
    const fit = fitCost(points);
    expect(fit.fixedMs).toBeCloseTo(12, 9);
    expect(fit.msPerMegapixel).toBeCloseTo(150, 9);
    expect(predictMs(fit, 1e6)).toBeCloseTo(162, 9);
  });

  it('never makes a larger input free, and needs two sizes', () => {
    // Timings that fall with size are noise: all of the cost is charged per pixel instead.
    const fit = fitCost([
      { inputPixels: 1e5, ms: 10 },
      { inputPixels: 2e5, ms: 9 },
    ]);
    expect(fit.msPerMegapixel).toBeGreaterThan(0);
    expect(predictMs(fit, 4e5)).toBeGreaterThan(predictMs(fit, 2e5));
    expect(() => fitCost([{ inputPixels: 1e5, ms: 10 }])).toThrow(/two or more input sizes/);
  });

  it('charges the kNN search per patch and bank row', () => {
    expect(knnMs(784, 10_000)).toBeCloseTo(784 * 10_000 * KNN_MS_PER_PATCH_ROW, 9);
    expect(knnMs(784, 5000)).toBeCloseTo(knnMs(784, 10_000) / 2, 9);
  });
});

describe('measuring a backbone', () => {
  const backbone = useTestBackbone();

  it('times the real backbone at several input sizes and fits a cost that grows with the input', async () => {
    const cost = await measureCaptureCost(backbone(), { runs: 3 });
    expect(cost.fixedMs).toBeGreaterThanOrEqual(0);
    expect(cost.msPerMegapixel).toBeGreaterThan(0);
    expect(cost.measured).toMatch(/without the kNN search, median at 224², 224 at 2\.5:1, 448², 448 at 2\.5:1/);
    // The kNN rate is of the order the tuner assumes (a 2-core machine: ns per patch × bank row).
    expect(cost.knnMsPerPatchRow).toBeGreaterThan(KNN_MS_PER_PATCH_ROW / 20);
    expect(cost.knnMsPerPatchRow).toBeLessThan(KNN_MS_PER_PATCH_ROW * 20);
  }, 120_000);
});
