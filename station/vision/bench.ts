// The bench's colour across the frame, read from the border ring. A single colour is not enough:
// vignetting and uneven lamp light shift a plain bench by 20-30 levels from centre to corner, so
// each channel is a smooth quadratic surface fitted to the ring, ignoring what the item covers.

import type { DecodedImage } from './types.ts';

export type Rgb = [number, number, number];

/** Share of each side that forms the border ring. */
const RING = 0.04;
/** Ring pixels used for the fit (evenly spaced along the ring). */
const FIT_SAMPLES = 6000;
const MIN_FIT_SAMPLES = 60;

/** The pixel indices of the border ring (the outer 4 % of each side), row by row. */
export function ringPixels(width: number, height: number): Int32Array {
  const tx = Math.max(1, Math.round(width * RING));
  const ty = Math.max(1, Math.round(height * RING));
  const out = new Int32Array(width * height - Math.max(0, width - 2 * tx) * Math.max(0, height - 2 * ty));
  let i = 0;
  for (let y = 0; y < height; y++) {
    const full = y < ty || y >= height - ty;
    for (let x = 0; x < width; x++) if (full || x < tx || x >= width - tx) out[i++] = y * width + x;
  }
  return out;
}

/** Per-channel median of the border ring, skipping pixels set in `skip`; null if none is left. */
export function ringMedian(img: DecodedImage, skip?: Uint8Array): Rgb | null {
  const hists = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let count = 0;
  for (const p of ringPixels(img.width, img.height)) {
    if (skip?.[p]) continue;
    for (let c = 0; c < 3; c++) hists[c][img.data[p * 3 + c]]++;
    count++;
  }
  if (count === 0) return null;
  return hists.map((h) => {
    let acc = 0;
    for (let v = 0; v < 256; v++) {
      acc += h[v];
      if (acc * 2 >= count) return v;
    }
    return 255;
  }) as Rgb;
}

/** The bench colour per channel as c0 + c1·u + c2·v + c3·u² + c4·u·v + c5·v², u and v from -0.5 to 0.5. */
export interface BenchModel {
  width: number;
  height: number;
  /** 6 coefficients per channel. */
  coef: Float64Array;
}

/** The fitted bench colour at (x, y), written into `out`. */
export function benchAt(m: BenchModel, x: number, y: number, out: Float32Array): void {
  const u = x / m.width - 0.5;
  const v = y / m.height - 0.5;
  const k = m.coef;
  for (let c = 0, i = 0; c < 3; c++, i += 6) {
    out[c] = k[i] + k[i + 1] * u + k[i + 2] * v + k[i + 3] * u * u + k[i + 4] * u * v + k[i + 5] * v * v;
  }
}

/** The fitted bench colours of row y (RGB interleaved), written into `out` (width*3). */
export function benchRow(m: BenchModel, y: number, out: Float32Array): void {
  const v = y / m.height - 0.5;
  const k = m.coef;
  for (let c = 0, i = 0; c < 3; c++, i += 6) {
    // along a row the surface is a parabola in u
    const a = k[i] + k[i + 2] * v + k[i + 5] * v * v;
    const b = k[i + 1] + k[i + 4] * v;
    const q = k[i + 3];
    for (let x = 0; x < m.width; x++) {
      const u = x / m.width - 0.5;
      out[x * 3 + c] = a + (b + q * u) * u;
    }
  }
}

/** A flat bench of one colour. */
export function flatBench(width: number, height: number, rgb: Rgb): BenchModel {
  const coef = new Float64Array(18);
  for (let c = 0; c < 3; c++) coef[c * 6] = rgb[c];
  return { width, height, coef };
}

/** Least squares by the normal equations (6 unknowns, Gaussian elimination with a tiny ridge). */
function solve(ata: Float64Array, atb: Float64Array): Float64Array {
  const n = 6;
  const a = Float64Array.from(ata);
  const b = Float64Array.from(atb);
  for (let i = 0; i < n; i++) a[i * n + i] += 1e-6;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    for (let k = 0; k < n; k++) [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k], a[col * n + k]];
    [b[col], b[pivot]] = [b[pivot], b[col]];
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / a[col * n + col];
      for (let k = col; k < n; k++) a[r * n + k] -= f * a[col * n + k];
      b[r] -= f * b[col];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= a[r * n + k] * x[k];
    x[r] = s / a[r * n + r];
  }
  return x;
}

/** Evenly spaced ring pixels not set in `skip`: a few thousand pin six coefficients down; more only cost time. */
function sampleRing(width: number, height: number, skip?: Uint8Array): Int32Array {
  const all = ringPixels(width, height);
  let free = all.length;
  if (skip) for (const p of all) free -= skip[p];
  const stride = Math.max(1, Math.floor(free / FIT_SAMPLES));
  const picked: number[] = [];
  for (let i = 0, n = 0; i < all.length; i++) {
    if (skip?.[all[i]]) continue;
    if (n++ % stride === 0) picked.push(all[i]);
  }
  return Int32Array.from(picked);
}

/** Each ring pixel's colour distance from the model's guess. */
function residuals(img: DecodedImage, model: BenchModel, ring: Int32Array): Float32Array {
  const { width, data } = img;
  const guess = new Float32Array(3);
  const out = new Float32Array(ring.length);
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i];
    benchAt(model, p % width, Math.floor(p / width), guess);
    const dr = data[p * 3] - guess[0];
    const dg = data[p * 3 + 1] - guess[1];
    const db = data[p * 3 + 2] - guess[2];
    out[i] = Math.sqrt(dr * dr + dg * dg + db * db);
  }
  return out;
}

/** Least-squares quadratic surface per channel through the ring pixels whose residual is at most `keep`. */
function fitSurface(img: DecodedImage, ring: Int32Array, residual: Float32Array, keep: number): BenchModel {
  const { width, height, data } = img;
  const ata = new Float64Array(36);
  const atb = [new Float64Array(6), new Float64Array(6), new Float64Array(6)];
  const f = new Float64Array(6);
  for (let i = 0; i < ring.length; i++) {
    if (residual[i] > keep) continue;
    const p = ring[i];
    const u = (p % width) / width - 0.5;
    const v = Math.floor(p / width) / height - 0.5;
    f[0] = 1;
    f[1] = u;
    f[2] = v;
    f[3] = u * u;
    f[4] = u * v;
    f[5] = v * v;
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 6; c++) ata[r * 6 + c] += f[r] * f[c];
      for (let ch = 0; ch < 3; ch++) atb[ch][r] += f[r] * data[p * 3 + ch];
    }
  }
  const coef = new Float64Array(18);
  atb.forEach((b, ch) => {
    coef.set(solve(ata, b), ch * 6);
  });
  return { width, height, coef };
}

/**
 * Fits the bench to the ring pixels not set in `skip`, starting from their median colour and
 * fitting twice, each time leaving out the pixels far off the last guess (an item reaching into
 * the ring). Null when the ring holds no bench pixel.
 */
export function fitBench(img: DecodedImage, skip?: Uint8Array): BenchModel | null {
  const start = ringMedian(img, skip);
  if (!start) return null;
  const ring = sampleRing(img.width, img.height, skip);
  let model = flatBench(img.width, img.height, start);
  // too few bench pixels to pin a surface down (the item hides most of the ring): stay flat
  if (ring.length < MIN_FIT_SAMPLES) return model;
  for (let round = 0; round < 2; round++) {
    const residual = residuals(img, model, ring);
    const keep = Math.max(6, 3 * residual.slice().sort()[residual.length >> 1]);
    model = fitSurface(img, ring, residual, keep);
  }
  return model;
}
