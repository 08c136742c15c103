/**
 * Coreset selections on worker threads (real threads, the TypeScript worker loaded through tsx): the same rows as
 * the selection on the calling thread, several at once, errors carried back, and a closed pool refuses work.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { coresetPool } from '../../station/calibrate/coreset/pool.ts';
import { gaussianArray } from '../../station/shared/random.ts';
import { greedyCoreset } from '../../station/vision/coreset.ts';

const shared = (values: Float32Array): Float32Array => {
  const x = new Float32Array(new SharedArrayBuffer(values.byteLength));
  x.set(values);
  return x;
};
const n = 4000;
const dim = 40;
const features = Array.from({ length: 3 }, (_, k) => shared(gaussianArray(n * dim, 11 + k)));
const pool = coresetPool(2);
afterAll(() => pool.close());

describe('coreset pool', () => {
  it('chooses the rows the calling thread would, for several selections at once', async () => {
    const opts = (k: number) => ({ size: 150 + 10 * k, seed: 3 + k });
    const chosen = await Promise.all(features.map((x, k) => pool.select(x, n, dim, opts(k))));
    for (const [k, x] of features.entries()) {
      expect(chosen[k]).toBeInstanceOf(Int32Array);
      expect(Array.from(chosen[k])).toEqual(Array.from(greedyCoreset(x, n, dim, opts(k))));
    }
  });

  it("carries a selection's error back, and keeps working after it", async () => {
    await expect(pool.select(features[0], n, dim, { size: 0, seed: 1 })).rejects.toThrow(
      /coreset: size must be a positive integer, got 0/,
    );
    expect((await pool.select(features[0], n, dim, { size: 5, seed: 1 })).length).toBe(5);
  });

  it('refuses features outside shared memory (a copy per selection would double the memory)', async () => {
    await expect(async () => pool.select(new Float32Array(n * dim), n, dim, { size: 5, seed: 1 })).rejects.toThrow(
      /must fill a SharedArrayBuffer/,
    );
  });

  it('fails what is running or queued when closed', async () => {
    const own = coresetPool(1);
    const running = own.select(features[0], n, dim, { size: 400, seed: 1 });
    const queued = own.select(features[1], n, dim, { size: 400, seed: 1 });
    const failed = [running, queued].map((p) => expect(p).rejects.toThrow(/coreset pool closed/));
    await own.close();
    await Promise.all(failed);
  });
});
