// Where the item lies in a photograph of it on the bench. The bench is fitted to the border ring
// (bench.ts); the item is what differs from it (Otsu on the colour distance). Frame-filling
// textures (leather, wood, tile) show no bench: then the whole frame is the item.

import type { DecodedImage } from './types.ts';
import { benchRow, fitBench, ringPixels } from './bench.ts';
import { boxBlur } from './raster.ts';

/** An item covering less or more than this share of the frame is not believable. */
const MIN_COVER = 0.03;
const MAX_COVER = 0.92;

/** Otsu's threshold on a 256-bin histogram: the level that best splits it into two classes. */
function otsu(hist: Uint32Array, total: number): { threshold: number; upperMean: number } {
  let sumAll = 0;
  for (let v = 0; v < 256; v++) sumAll += v * hist[v];
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let threshold = 0;
  for (let t = 0; t < 255; t++) {
    w0 += hist[t];
    sum0 += t * hist[t];
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const between = w0 * w1 * (sum0 / w0 - (sumAll - sum0) / w1) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  let n1 = 0;
  let s1 = 0;
  for (let v = threshold + 1; v < 256; v++) {
    n1 += hist[v];
    s1 += v * hist[v];
  }
  return { threshold, upperMean: n1 ? s1 / n1 : 0 };
}

/** Sets every 0-pixel the frame border cannot reach through 0-pixels (holes inside the item). */
function fillHoles(mask: Uint8Array, width: number, height: number): void {
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  let top = 0;
  const push = (p: number): void => {
    if (!mask[p] && !seen[p]) {
      seen[p] = 1;
      stack[top++] = p;
    }
  };
  for (let x = 0; x < width; x++) {
    push(x);
    push((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    push(y * width);
    push(y * width + width - 1);
  }
  while (top > 0) {
    const p = stack[--top];
    const x = p % width;
    if (x > 0) push(p - 1);
    if (x < width - 1) push(p + 1);
    if (p >= width) push(p - width);
    if (p + width < mask.length) push(p + width);
  }
  for (let p = 0; p < mask.length; p++) if (!mask[p] && !seen[p]) mask[p] = 1;
}

/** 1 where the item lies, 0 on the bench, at image resolution. */
export function estimateItemMask(img: DecodedImage): Uint8Array {
  const { width, height, data } = img;
  const n = width * height;
  const whole = new Uint8Array(n).fill(1);
  const bench = fitBench(img);
  if (!bench) return whole;

  const dist = new Float32Array(n);
  const row = new Float32Array(width * 3);
  for (let y = 0, p = 0; y < height; y++) {
    benchRow(bench, y, row);
    for (let x = 0; x < width; x++, p++) {
      const i = p * 3;
      const dr = data[i] - row[x * 3];
      const dg = data[i + 1] - row[x * 3 + 1];
      const db = data[i + 2] - row[x * 3 + 2];
      dist[p] = Math.sqrt(dr * dr + dg * dg + db * db);
    }
  }
  // smoothing first keeps sensor noise and fine grain from speckling the split
  const smooth = boxBlur(dist, width, height, Math.max(1, Math.round(Math.min(width, height) / 256)));
  const hist = new Uint32Array(256);
  for (let p = 0; p < n; p++) hist[Math.min(255, Math.round(smooth[p]))]++;
  const { threshold, upperMean } = otsu(hist, n);

  // bimodal means: the ring sits well below the split and the item well above it; a texture
  // filling the frame has its ring spread like the rest of the image
  const ringHist = new Uint32Array(256);
  const ring = ringPixels(width, height);
  const ringCount = ring.length;
  for (const p of ring) ringHist[Math.min(255, Math.round(smooth[p]))]++;
  let acc = 0;
  let ringP75 = 255;
  for (let v = 0; v < 256; v++) {
    acc += ringHist[v];
    if (acc >= 0.75 * ringCount) {
      ringP75 = v;
      break;
    }
  }
  if (upperMean < 12 || ringP75 >= 0.5 * threshold) return whole;

  // majority vote over a small box: drops specks, closes thin gaps along the outline
  const raw = new Float32Array(n);
  for (let p = 0; p < n; p++) raw[p] = smooth[p] > threshold ? 1 : 0;
  const vote = boxBlur(raw, width, height, Math.max(1, Math.round(Math.min(width, height) / 128)));
  const mask = new Uint8Array(n);
  let cover = 0;
  for (let p = 0; p < n; p++) mask[p] = vote[p] >= 0.5 ? 1 : 0;
  fillHoles(mask, width, height);
  for (let p = 0; p < n; p++) cover += mask[p];
  if (cover < MIN_COVER * n || cover > MAX_COVER * n) return whole;
  return mask;
}
