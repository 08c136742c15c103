import { describe, expect, it } from 'vitest';
import { greedyCoreset, greedyCoresetReference } from '../../station/vision/coreset.ts';
import { nearestReference } from '../../station/vision/knn.ts';
import { gaussianArray, sampleIndices } from '../../station/shared/random.ts';

/** Features with low intrinsic dimension (a 3-d latent mapped into `dim`), plus a few far-away rare points. */
function blobs(n: number, dim: number, seed: number): Float32Array {
  const latent = gaussianArray(n * 3, seed);
  const mix = gaussianArray(3 * dim, seed + 1);
  const noise = gaussianArray(n * dim, seed + 2);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) {
      let v = 0.05 * noise[i * dim + k];
      for (let l = 0; l < 3; l++) v += latent[i * 3 + l] * mix[l * dim + k];
      x[i * dim + k] = v;
    }
  }
  // Rare variation: a good coreset must keep it.
  for (let i = 0; i < n; i += 97) for (let k = 0; k < dim; k++) x[i * dim + k] += 25;
  return x;
}

/** Largest distance from any point to its nearest chosen point (the k-center objective). */
function coverRadius(x: Float32Array, n: number, dim: number, chosen: ArrayLike<number>): number {
  const bank = new Float32Array(chosen.length * dim);
  Array.from(chosen).forEach((r, i) => {
    bank.set(x.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  return Math.max(...nearestReference(x, n, bank, chosen.length, dim));
}

describe('greedy k-center coreset', () => {
  const n = 3000,
    dim = 48;
  const x = blobs(n, dim, 5);

  it('is deterministic for a seed and differs across seeds', () => {
    const a = greedyCoreset(x, n, dim, { size: 200, seed: 1 });
    const b = greedyCoreset(x, n, dim, { size: 200, seed: 1 });
    const c = greedyCoreset(x, n, dim, { size: 200, seed: 2 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(new Set(a).size).toBe(200);
  });

  it('the pruned version picks exactly what the plain greedy picks', () => {
    for (const seed of [0, 3]) {
      const fast = greedyCoreset(x, n, dim, { size: 300, seed, selectionDim: 16 });
      const slow = greedyCoresetReference(x, n, dim, { size: 300, seed, selectionDim: 16 });
      expect(Array.from(fast)).toEqual(Array.from(slow));
    }
  });

  it('covers the data better than a random subset of the same size, and keeps the rare points', () => {
    const chosen = greedyCoreset(x, n, dim, { size: 150, seed: 0 });
    const random = sampleIndices(n, 150, 0);
    expect(coverRadius(x, n, dim, chosen)).toBeLessThan(coverRadius(x, n, dim, random));
    const rare = Array.from({ length: Math.ceil(n / 97) }, (_, i) => i * 97);
    const kept = rare.filter((r) => chosen.includes(r)).length;
    expect(kept).toBeGreaterThan(rare.length / 2);
  });

  it('keeps everything when asked for more than there is, and rejects a bad size', () => {
    expect(greedyCoreset(x, 10, dim, { size: 50, seed: 0 }).length).toBe(10);
    expect(() => greedyCoreset(x, n, dim, { size: 0, seed: 0 })).toThrow(/size must be a positive integer/);
  });
});
