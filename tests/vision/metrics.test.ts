import { describe, expect, it } from 'vitest';
import { auroc, aurocFromGroups, f1Max, percentile } from '../../station/vision/metrics.ts';
import { createRng } from '../../station/shared/random.ts';

function bruteAuroc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

function bruteF1(scores: number[], labels: number[]): number {
  let best = 0;
  for (const t of new Set(scores)) {
    let tp = 0,
      fp = 0,
      fn = 0;
    scores.forEach((s, i) => {
      if (s >= t) labels[i] ? tp++ : fp++;
      else if (labels[i]) fn++;
    });
    best = Math.max(best, (2 * tp) / (2 * tp + fp + fn));
  }
  return best;
}

describe('metrics', () => {
  it('AUROC: perfect, reversed, all tied', () => {
    expect(aurocFromGroups([3, 4], [1, 2])).toBe(1);
    expect(aurocFromGroups([1, 2], [3, 4])).toBe(0);
    expect(aurocFromGroups([1, 1], [1, 1, 1])).toBe(0.5);
  });

  it('AUROC and F1-max match brute force on random data with ties', () => {
    const rand = createRng(42);
    for (let trial = 0; trial < 5; trial++) {
      const scores = Array.from({ length: 300 }, () => Math.round(rand() * 40) / 4);
      const labels = scores.map((s) => (rand() < 0.2 + s / 20 ? 1 : 0));
      const pos = scores.filter((_, i) => labels[i]),
        neg = scores.filter((_, i) => !labels[i]);
      expect(auroc(scores, labels)).toBeCloseTo(bruteAuroc(pos, neg), 12);
      expect(f1Max(scores, labels).f1).toBeCloseTo(bruteF1(scores, labels), 12);
    }
  });

  it('AUROC asks for both classes', () => {
    expect(() => aurocFromGroups([], [1])).toThrow(/both defective and good/);
  });

  it('percentile interpolates', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([10, 20], 95)).toBeCloseTo(19.5, 12);
  });
});
