import { createRng } from '../vision/rng.ts';

/**
 * The seeded PRNG for bootstrap and fold assignment: vision's mulberry32, so the pure core has one generator.
 * Seed 0 maps to a fixed non-zero state, as it always has here, so existing seeds keep their draws.
 */
export function seededRandom(seed: number): () => number {
  return createRng(seed >>> 0 || 0x9e3779b9);
}

/** Fisher-Yates shuffle of 0..n-1 with a seeded generator. */
export function seededPermutation(n: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
