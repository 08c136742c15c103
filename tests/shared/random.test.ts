import { describe, expect, it } from 'vitest';
import { createRng, seededPermutation, seededRandom } from '../../station/shared/random.ts';

describe('the shared seeded generator', () => {
  it('is the vision generator for non-zero seeds', () => {
    const a = seededRandom(42),
      b = createRng(42);
    for (let i = 0; i < 100; i++) expect(a()).toBe(b());
  });

  it('seed 0 still gives a varied, reproducible stream', () => {
    const a = seededRandom(0),
      b = seededRandom(0);
    const xs = Array.from({ length: 50 }, () => a());
    expect(xs).toEqual(Array.from({ length: 50 }, () => b()));
    expect(new Set(xs).size).toBe(50);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('seededPermutation is a reproducible permutation that depends on the seed', () => {
    const p = seededPermutation(30, 5);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(seededPermutation(30, 5)).toEqual(p);
    expect(seededPermutation(30, 6)).not.toEqual(p);
  });
});
