/**
 * From patch distances to a heatmap and an image score.
 * Patch distances (one per grid cell) are bilinearly upsampled to the model input resolution, cropped to the
 * image content, and smoothed with a separable Gaussian (sigma in input pixels). The image score is the maximum
 * of the smoothed map: smoothing already averages a defect's neighbouring patches, so a single noisy patch
 * cannot dominate (a "robust maximum"), while a small real defect still counts fully.
 */
import type { AnomalyMap, GridPlacement, InputGeometry } from './types.ts';

/** Bilinear resize of a float map, pixel centres aligned (half-pixel convention), edges clamped. */
export function resizeBilinear(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh);
  const sx = sw / dw, sy = sh / dh;
  const x0s = new Int32Array(dw), x1s = new Int32Array(dw), fxs = new Float32Array(dw);
  for (let x = 0; x < dw; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), sw - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(x0s[x] + 1, sw - 1);
    fxs[x] = fx - x0s[x];
  }
  for (let y = 0; y < dh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, sh - 1), wy = fy - y0;
    const r0 = y0 * sw, r1 = y1 * sw, o = y * dw;
    for (let x = 0; x < dw; x++) {
      const a = src[r0 + x0s[x]], b = src[r0 + x1s[x]], c = src[r1 + x0s[x]], d = src[r1 + x1s[x]];
      const wx = fxs[x];
      out[o + x] = (a + (b - a) * wx) * (1 - wy) + (c + (d - c) * wx) * wy;
    }
  }
  return out;
}

/**
 * Patch-grid values → one value per model-input pixel, bilinear between cell centres (clamped at the edges).
 * Cells are centred at x0 + (i + 0.5)·stride: for 'same'-padded backbones x0 = 0; for 'valid'-padded ones
 * (InceptionV3) the grid is smaller than input/stride and centred, so x0 > 0.
 */
export function gridToPixels(src: Float32Array, gw: number, gh: number, w: number, h: number, cells: GridPlacement): Float32Array {
  const out = new Float32Array(w * h);
  const xi0 = new Int32Array(w), xi1 = new Int32Array(w), xf = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const f = Math.min(Math.max((x + 0.5 - cells.x0) / cells.stride - 0.5, 0), gw - 1);
    xi0[x] = Math.floor(f);
    xi1[x] = Math.min(xi0[x] + 1, gw - 1);
    xf[x] = f - xi0[x];
  }
  for (let y = 0; y < h; y++) {
    const f = Math.min(Math.max((y + 0.5 - cells.y0) / cells.stride - 0.5, 0), gh - 1);
    const y0 = Math.floor(f), y1 = Math.min(y0 + 1, gh - 1), wy = f - y0;
    const r0 = y0 * gw, r1 = y1 * gw, o = y * w;
    for (let x = 0; x < w; x++) {
      const a = src[r0 + xi0[x]], b = src[r0 + xi1[x]], c = src[r1 + xi0[x]], d = src[r1 + xi1[x]];
      const wx = xf[x];
      out[o + x] = (a + (b - a) * wx) * (1 - wy) + (c + (d - c) * wx) * wy;
    }
  }
  return out;
}

function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** Separable Gaussian blur with clamped edges. sigma ≤ 0 returns a copy. */
export function gaussianBlur(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return src.slice();
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) {
        const xx = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;
        s += src[o + xx] * k[i + r];
      }
      tmp[o + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) {
        const yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
        s += tmp[yy * w + x] * k[i + r];
      }
      out[y * w + x] = s;
    }
  }
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
