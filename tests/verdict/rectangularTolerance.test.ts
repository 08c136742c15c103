import { describe, expect, it } from 'vitest';
import { heldOutUnderModel } from '../../station/calibrate/scoreModel.ts';
import { productScorer } from '../../station/verdict/scoreModel.ts';

// Per-location tolerance on a tall 4×10 grid (a native-aspect input): statistics per place, and a grid of another shape refused.
describe('per-location tolerance on a rectangular grid', () => {
  const W = 4,
    H = 10;
  const goodMap = (k: number) =>
    Float32Array.from({ length: W * H }, (_, p) => (p % W === 3 ? 5 : 1) + 0.1 * ((p * 7 + k) % 5));
  const held = Array.from({ length: 8 }, (_, k) => ({ score: 0, patchScores: goodMap(k) }));

  it('a place that is always busy on good items (the right column) tolerates what would be a defect elsewhere', () => {
    const { model } = heldOutUnderModel({ placedConsistently: true, regions: [], scoreTopShare: 0 }, held, {
      gridW: W,
      gridH: H,
    });
    expect(model).toMatchObject({ kind: 'region', gridW: 4, gridH: 10 });
    const score = productScorer(model);
    const at = (x: number, y: number, v: number) => {
      const m = goodMap(0);
      m[y * W + x] = v;
      return score({ score: 0, patchScores: m });
    };
    // 5.5 in the busy right column is ordinary there; the same 5.5 in the calm left column stands out.
    expect(at(0, 7, 5.5)).toBeGreaterThan(3 * at(3, 7, 5.5));
    // A grid of another shape (the square one) is refused rather than misread.
    expect(() => score({ score: 0, patchScores: new Float32Array(W * W) })).toThrow(/expects 40: recalibrate/);
  });
});
