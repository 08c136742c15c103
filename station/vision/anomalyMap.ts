/**
 * From patch distances to a heatmap and an image score.
 * Patch distances (one per grid cell) are bilinearly upsampled to the model input resolution, cropped to the
 * image content, and smoothed with a separable Gaussian (sigma in input pixels). buildAnomalyMap does the three
 * in one pass per axis; gridToPixels and gaussianBlur do them step by step and are its reference in the tests. The image score is the maximum
 * of the smoothed map: smoothing already averages a defect's neighbouring patches, so a single noisy patch
 * cannot dominate (a "robust maximum"), while a small real defect still counts fully.
 */
import type { AnomalyMap, GridPlacement, InputGeometry } from './types.ts';

/** One axis of a bilinear resampling: output pixel x reads source coordinate (x + 0.5 - offset) / step - 0.5. */
interface Axis {
  step: number;
  offset: number;
}

function taps(n: number, size: number, a: Axis): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(n),
    i1 = new Int32Array(n),
    f = new Float32Array(n);
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
  const X = taps(dw, sw, ax),
    Y = taps(dh, sh, ay);
  for (let y = 0; y < dh; y++) {
    const r0 = Y.i0[y] * sw,
      r1 = Y.i1[y] * sw,
      wy = Y.f[y],
      o = y * dw;
    for (let x = 0; x < dw; x++) {
      const a = src[r0 + X.i0[x]],
        b = src[r0 + X.i1[x]],
        c = src[r1 + X.i0[x]],
        d = src[r1 + X.i1[x]];
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
export function gridToPixels(
  src: Float32Array,
  gw: number,
  gh: number,
  w: number,
  h: number,
  cells: GridPlacement,
): Float32Array {
  return bilinear(
    src,
    gw,
    gh,
    w,
    h,
    { step: cells.stride, offset: cells.x0 },
    { step: cells.stride, offset: cells.y0 },
  );
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
function convolveLines(
  src: Float32Array,
  out: Float32Array,
  k: Float32Array,
  lines: number,
  len: number,
  lineStep: number,
  step: number,
): void {
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

/**
 * One axis of "bilinear from the grid cells, crop to the content, Gaussian with clamped edges" as a single
 * [len × cells] weight matrix: all three steps are linear and act on each axis separately, so the map is
 * Wy · grid · Wxᵀ. Each row has only a few non-zero cells (the kernel spans ~3σ/stride cells), kept as [lo, hi).
 */
interface AxisOperator {
  cells: number;
  weights: Float64Array;
  lo: Int32Array;
  hi: Int32Array;
}

function axisOperator(cells: number, len: number, start: number, axis: Axis, sigma: number): AxisOperator {
  const src = taps(start + len, cells, axis); // bilinear taps for input pixels 0 … start+len-1
  const k = sigma > 0 ? gaussianKernel(sigma) : Float32Array.of(1);
  const r = (k.length - 1) / 2;
  const weights = new Float64Array(len * cells);
  const lo = new Int32Array(len),
    hi = new Int32Array(len);
  for (let x = 0; x < len; x++) {
    const row = x * cells;
    for (let t = -r; t <= r; t++) {
      const p = start + Math.min(len - 1, Math.max(0, x + t)); // clamped at the content's edges, as the blur is
      weights[row + src.i0[p]] += k[t + r] * (1 - src.f[p]);
      weights[row + src.i1[p]] += k[t + r] * src.f[p];
    }
    let a = 0,
      b = cells;
    while (a < cells - 1 && weights[row + a] === 0) a++;
    while (b > a + 1 && weights[row + b - 1] === 0) b--;
    lo[x] = a;
    hi[x] = b;
  }
  return { cells, weights, lo, hi };
}

// Operators depend only on the geometry and sigma, which repeat from item to item: build each once.
const operators = new Map<string, AxisOperator>();
function cachedOperator(cells: number, len: number, start: number, axis: Axis, sigma: number): AxisOperator {
  const key = `${cells}|${len}|${start}|${axis.step}|${axis.offset}|${sigma}`;
  let op = operators.get(key);
  if (!op) {
    if (operators.size >= 64) operators.clear();
    op = axisOperator(cells, len, start, axis, sigma);
    operators.set(key, op);
  }
  return op;
}

/** Patch distances on the grid → smoothed anomaly map over the image content, and the image score. */
export function buildAnomalyMap(
  patchScores: Float32Array,
  gridW: number,
  gridH: number,
  geometry: InputGeometry,
  opts: MapOptions,
  cells?: GridPlacement,
): { score: number; anomalyMap: AnomalyMap } {
  if (patchScores.length !== gridW * gridH)
    throw new Error(`anomaly map: ${patchScores.length} patch scores for a ${gridW}×${gridH} grid`);
  const { inputWidth: iw, inputHeight: ih, content: c } = geometry;
  const ax: Axis = cells ? { step: cells.stride, offset: cells.x0 } : { step: iw / gridW, offset: 0 };
  const ay: Axis = cells ? { step: cells.stride, offset: cells.y0 } : { step: ih / gridH, offset: 0 };
  // The content crop is part of the operators: padding never leaks into the map or the score.
  const wx = cachedOperator(gridW, c.width, c.x, ax, opts.sigma);
  const wy = cachedOperator(gridH, c.height, c.y, ay, opts.sigma);
  const w = c.width,
    h = c.height;
  const rows = new Float64Array(gridH * w); // grid · Wxᵀ
  for (let gy = 0; gy < gridH; gy++) {
    const g = gy * gridW,
      o = gy * w;
    for (let x = 0; x < w; x++) {
      const row = x * gridW;
      let s = 0;
      for (let gx = wx.lo[x]; gx < wx.hi[x]; gx++) s += wx.weights[row + gx] * patchScores[g + gx];
      rows[o + x] = s;
    }
  }
  const data = new Float32Array(w * h); // Wy · rows
  let score = -Infinity;
  for (let y = 0; y < h; y++) {
    const o = y * w,
      row = y * gridH;
    for (let gy = wy.lo[y]; gy < wy.hi[y]; gy++) {
      const k = wy.weights[row + gy],
        src = gy * w;
      for (let x = 0; x < w; x++) data[o + x] += k * rows[src + x];
    }
    for (let x = 0; x < w; x++) if (data[o + x] > score) score = data[o + x];
  }
  return { score, anomalyMap: { width: w, height: h, data, region: { ...geometry.region } } };
}

/** The map resampled to another size (e.g. the original image's, for overlays or pixel-level metrics). */
export function resizeAnomalyMap(map: AnomalyMap, width: number, height: number): AnomalyMap {
  return {
    width,
    height,
    data: resizeBilinear(map.data, map.width, map.height, width, height),
    region: { ...map.region },
  };
}

/** A member's map with the good scale it is judged on: the median and robust spread of its good items' scores. */
export interface ScaledMap {
  map: AnomalyMap;
  centre: number;
  spread: number;
}

/**
 * The maps of one image by several configurations on one scale, as their scores are combined: each in good-spreads
 * above its good median ((v − centre) / spread), at the first map's size, averaged.
 */
export function blendAnomalyMaps(members: ScaledMap[]): AnomalyMap {
  const [first] = members;
  if (!first) throw new Error('blending anomaly maps needs at least one');
  const { width, height, region } = first.map;
  const data = new Float32Array(width * height);
  for (const { map, centre, spread } of members) {
    const r = map.region;
    if (r.x !== region.x || r.y !== region.y || r.width !== region.width || r.height !== region.height)
      throw new Error('blended anomaly maps must cover the same part of the image');
    const same = map.width === width && map.height === height ? map.data : resizeAnomalyMap(map, width, height).data;
    for (let i = 0; i < data.length; i++) data[i] += (same[i] - centre) / spread / members.length;
  }
  return { width, height, data, region: { ...region } };
}
