/**
 * From patch distances to a heatmap and an image score.
 * Patch distances (one per grid cell) are bilinearly upsampled to the model input resolution, cropped to the
 * image content, and smoothed with a separable Gaussian (sigma in input pixels). The image score is the maximum
 * of the smoothed map: smoothing already averages a defect's neighbouring patches, so a single noisy patch
 * cannot dominate (a "robust maximum"), while a small real defect still counts fully.
 */
import type { AnomalyMap, GridPlacement, InputGeometry } from './types.ts';

/** One axis of a bilinear resampling: output pixel x reads source coordinate (x + 0.5 - offset) / step - 0.5. */
interface Axis { step: number; offset: number }

function taps(n: number, size: number, a: Axis): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(n), i1 = new Int32Array(n), f = new Float32Array(n);
  for (let x = 0; x < n; x++) {
    const s = Math.min(Math.max((x + 0.5 - a.offset) / a.step - 0.5, 0), size - 1);
    i0[x] = Math.floor(s);
    i1[x] = Math.min(i0[x] + 1, size - 1);
    f[x] = s - i0[x];
  }
  return { i0, i1, f };
}

/** Bilinear resampling of a [sh, sw] float map to [dh, dw], edges clamped. */
function bilinear(src: Float32Array, sw: number, sh: number, dw: number, dh: number, ax: Axis, ay: Axis): Float32Array {
  const out = new Float32Array(dw * dh);
  const X = taps(dw, sw, ax), Y = taps(dh, sh, ay);
  for (let y = 0; y < dh; y++) {
    const r0 = Y.i0[y] * sw, r1 = Y.i1[y] * sw, wy = Y.f[y], o = y * dw;
    for (let x = 0; x < dw; x++) {
      const a = src[r0 + X.i0[x]], b = src[r0 + X.i1[x]], c = src[r1 + X.i0[x]], d = src[r1 + X.i1[x]];
      const wx = X.f[x];
      out[o + x] = (a + (b - a) * wx) * (1 - wy) + (c + (d - c) * wx) * wy;
    }
  }
  return out;
}

/** Bilinear resize of a float map, pixel centres aligned (half-pixel convention), edges clamped. */
export function resizeBilinear(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  return bilinear(src, sw, sh, dw, dh, { step: dw / sw, offset: 0 }, { step: dh / sh, offset: 0 });
}

/**
 * Patch-grid values → one value per model-input pixel, bilinear between cell centres (clamped at the edges).
 * Cells are centred at x0 + (i + 0.5)·stride: for 'same'-padded backbones x0 = 0; for 'valid'-padded ones
 * (InceptionV3) the grid is smaller than input/stride and centred, so x0 > 0.
 */
export function gridToPixels(src: Float32Array, gw: number, gh: number, w: number, h: number, cells: GridPlacement): Float32Array {
  return bilinear(src, gw, gh, w, h, { step: cells.stride, offset: cells.x0 }, { step: cells.stride, offset: cells.y0 });
}

function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** Convolve `lines` lines of `len` samples (sample i of line l at l·lineStep + i·step) with k, edges clamped. */
function convolveLines(src: Float32Array, out: Float32Array, k: Float32Array, lines: number, len: number, lineStep: number, step: number): void {
  const r = (k.length - 1) / 2;
  for (let l = 0; l < lines; l++) {
    const o = l * lineStep;
    for (let x = 0; x < len; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) {
        const xx = x + i < 0 ? 0 : x + i >= len ? len - 1 : x + i;
        s += src[o + xx * step] * k[i + r];
      }
      out[o + x * step] = s;
    }
  }
}

/** Separable Gaussian blur with clamped edges. sigma ≤ 0 returns a copy. */
export function gaussianBlur(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return src.slice();
  const k = gaussianKernel(sigma);
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  convolveLines(src, tmp, k, h, w, w, 1); // rows
  convolveLines(tmp, out, k, w, h, 1, w); // columns
  return out;
}

export interface MapOptions {
  /** Gaussian sigma in model-input pixels (PatchCore uses 4 at 224). */
  sigma: number;
}

/** Patch distances on the grid → smoothed anomaly map over the image content, and the image score. */
export function buildAnomalyMap(
  patchScores: Float32Array, gridW: number, gridH: number, geometry: InputGeometry, opts: MapOptions, cells?: GridPlacement,
): { score: number; anomalyMap: AnomalyMap } {
  if (patchScores.length !== gridW * gridH) throw new Error(`anomaly map: ${patchScores.length} patch scores for a ${gridW}×${gridH} grid`);
  const { inputWidth: iw, inputHeight: ih, content: c } = geometry;
  const up = cells ? gridToPixels(patchScores, gridW, gridH, iw, ih, cells) : resizeBilinear(patchScores, gridW, gridH, iw, ih);
  // Crop to the content before smoothing: padding never leaks into the map or the score.
  const crop = new Float32Array(c.width * c.height);
  for (let y = 0; y < c.height; y++) crop.set(up.subarray((c.y + y) * iw + c.x, (c.y + y) * iw + c.x + c.width), y * c.width);
  const data = gaussianBlur(crop, c.width, c.height, opts.sigma);
  let score = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i] > score) score = data[i];
  return { score, anomalyMap: { width: c.width, height: c.height, data, region: { ...geometry.region } } };
}

/** The map resampled to another size (e.g. the original image's, for overlays or pixel-level metrics). */
export function resizeAnomalyMap(map: AnomalyMap, width: number, height: number): AnomalyMap {
  return { width, height, data: resizeBilinear(map.data, map.width, map.height, width, height), region: { ...map.region } };
}
