import { afterAll, describe, expect, it } from 'vitest';
import { nearestBlocked, nearestReference, OrtNearest } from '../../station/vision/knn.ts';
import { createRng, gaussianArray } from '../../station/shared/random.ts';

/** Clustered, offset data (like real patch features: far from the origin, many near-duplicates). */
function features(n: number, dim: number, seed: number, clusters = 12): Float32Array {
  const rand = createRng(seed);
  const centres = gaussianArray(clusters * dim, seed + 1);
  const noise = gaussianArray(n * dim, seed + 2);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * clusters);
    for (let k = 0; k < dim; k++) out[i * dim + k] = 20 + 4 * centres[c * dim + k] + 0.3 * noise[i * dim + k];
  }
  return out;
}

function maxError(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

const sessions: OrtNearest[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

describe('nearest-neighbour kernels agree with the plain reference', () => {
  for (const [nq, nb, dim] of [
    [101, 733, 128],
    [7, 3, 5],
    [64, 2000, 64],
  ] as const) {
    it(`${nq} queries × ${nb} bank × ${dim} dims`, async () => {
      const bank = features(nb, dim, 10 + dim);
      const q = features(nq, dim, 99 + dim);
      // Some queries are exact copies of bank rows: the distance must come out as 0, not a float32 residue.
      q.set(bank.subarray(0, dim), 0);
      const ref = nearestReference(q, nq, bank, nb, dim);
      expect(ref[0]).toBe(0);
      const blocked = nearestBlocked(q, nq, bank, nb, dim);
      expect(maxError(blocked, ref)).toBeLessThan(1e-4);
      const ort = await OrtNearest.create(bank, nb, dim, { threads: 1 });
      sessions.push(ort);
      const got = await ort.nearest(q, nq);
      expect(maxError(got.distances, ref)).toBeLessThan(1e-4);
      expect(got.distances[0]).toBe(0);
      expect(got.indices[0]).toBe(0);
      // Reusing the session for another query set gives the same answer as a fresh computation.
      const q2 = features(nq, dim, 7);
      expect(maxError((await ort.nearest(q2, nq)).distances, nearestReference(q2, nq, bank, nb, dim))).toBeLessThan(
        1e-4,
      );
    });
  }

  it('refuses an empty bank and mismatched shapes with a clear message', async () => {
    expect(() => nearestBlocked(new Float32Array(8), 2, new Float32Array(0), 0, 4)).toThrow(/memory bank is empty/);
    expect(() => nearestReference(new Float32Array(7), 2, new Float32Array(8), 2, 4)).toThrow(
      /queries hold 7 values, need 2×4/,
    );
  });
});
