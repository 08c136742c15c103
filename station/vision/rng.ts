/** Seeded pseudo-random numbers: the same seed gives the same projection and coreset on every machine. */

/** mulberry32: tiny, fast, good enough for sampling and projections (not for cryptography). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples via Box-Muller, from a seeded uniform source. */
export function gaussianArray(length: number, seed: number): Float32Array {
  const rand = createRng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * A Gaussian random projection matrix, row-major [inDim, outDim], scaled by 1/sqrt(outDim)
 * so projected squared distances match the original ones in expectation (Johnson-Lindenstrauss).
 */
export function randomProjection(inDim: number, outDim: number, seed: number): Float32Array {
  const m = gaussianArray(inDim * outDim, seed);
  const s = 1 / Math.sqrt(outDim);
  for (let i = 0; i < m.length; i++) m[i] *= s;
  return m;
}

/** k distinct indices from 0..n-1, chosen by seed (partial Fisher-Yates), returned sorted. */
export function sampleIndices(n: number, k: number, seed: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const rand = createRng(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}
