// Blending a defect into a copy of the photograph, only on the item, and reading back which
// pixels it visibly changed.

import type { DecodedImage } from '../../vision/types.ts';
import type { Drawn } from './context.ts';
import { dilate } from '../../vision/raster.ts';
import type { Layer } from './shapes.ts';

export interface Paint {
  width: number;
  height: number;
  src: Uint8Array;
  out: Uint8Array;
  /** The strongest coverage painted on each pixel so far. */
  alpha: Float32Array;
  item: Uint8Array;
  /** The photograph is grey (a monochrome camera): defects are painted grey too. */
  mono: boolean;
  /** The window [x0, x1) × [y0, y1) holding every painted pixel. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A pixel belongs to the defect when it was painted at least this opaquely … */
const VISIBLE_ALPHA = 0.15;
/** … or changed by more than this many levels in some channel. */
const VISIBLE_LEVELS = 8;
/** Coverage below this is dropped: soft tails end instead of tinting the whole frame. */
const MIN_ALPHA = 0.02;

/** Channels this close everywhere mean a grey photograph (JPEG leaves a level or two of chroma). */
const GREY_LEVELS = 3;

/** True when every sampled pixel is grey: what a monochrome camera or a grey-converted photograph gives. */
export function isGrey(img: DecodedImage): boolean {
  const { data } = img;
  const step = Math.max(3, Math.floor(data.length / 3 / 20000) * 3);
  for (let i = 0; i + 2 < data.length; i += step) {
    if (Math.abs(data[i] - data[i + 1]) > GREY_LEVELS || Math.abs(data[i + 1] - data[i + 2]) > GREY_LEVELS)
      return false;
  }
  return true;
}

export function startPaint(img: DecodedImage, item: Uint8Array): Paint {
  const n = img.width * img.height;
  const { width, height } = img;
  return {
    width,
    height,
    src: img.data,
    out: img.data.slice(),
    alpha: new Float32Array(n),
    item,
    mono: isGrey(img),
    x0: width,
    y0: height,
    x1: 0,
    y1: 0,
  };
}

/** Sets `rgb` (holding the pixel's current colour) to the defect's colour at pixel p. */
export type Target = (p: number, rgb: Float32Array) => void;

/** Blends the target colour over the item pixels of the layer, weighted by coverage. */
export function apply(paint: Paint, layer: Layer, target: Target): void {
  const { out, alpha, item, width } = paint;
  // clamped view: rounds and saturates instead of wrapping around
  const put = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  const rgb = new Float32Array(3);
  paint.x0 = Math.min(paint.x0, layer.x0);
  paint.y0 = Math.min(paint.y0, layer.y0);
  paint.x1 = Math.max(paint.x1, layer.x1);
  paint.y1 = Math.max(paint.y1, layer.y1);
  for (let y = layer.y0; y < layer.y1; y++) {
    for (let x = layer.x0; x < layer.x1; x++) {
      const p = y * width + x;
      const a = layer.a[p];
      if (a < MIN_ALPHA || !item[p]) continue;
      const i = p * 3;
      rgb[0] = out[i];
      rgb[1] = out[i + 1];
      rgb[2] = out[i + 2];
      target(p, rgb);
      // a grey camera cannot see a tint: only the tone of the defect reaches the photograph
      if (paint.mono) rgb[0] = rgb[1] = rgb[2] = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
      put[i] = out[i] + (rgb[0] - out[i]) * a;
      put[i + 1] = out[i + 1] + (rgb[1] - out[i + 1]) * a;
      put[i + 2] = out[i + 2] + (rgb[2] - out[i + 2]) * a;
      if (a > alpha[p]) alpha[p] = a;
    }
  }
}

/**
 * The visibly changed pixels, and the frame with every change farther than a thin halo from
 * them undone, so the mask tells the truth about where the image differs. Only the painted
 * window is scanned: nothing outside it changed.
 */
export function finish(paint: Paint): Drawn {
  const { src, out, alpha, width, height } = paint;
  const mask = new Uint8Array(width * height);
  const w = Math.max(0, paint.x1 - paint.x0);
  const h = Math.max(0, paint.y1 - paint.y0);
  const local = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (paint.y0 + y) * width + paint.x0 + x;
      const i = p * 3;
      const diff = Math.max(
        Math.abs(out[i] - src[i]),
        Math.abs(out[i + 1] - src[i + 1]),
        Math.abs(out[i + 2] - src[i + 2]),
      );
      if (alpha[p] >= VISIBLE_ALPHA || diff > VISIBLE_LEVELS) mask[p] = local[y * w + x] = 1;
    }
  }
  const halo = dilate(local, w, h, Math.max(2, Math.ceil((2 * Math.min(width, height)) / 512)));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (halo[y * w + x]) continue;
      const i = ((paint.y0 + y) * width + paint.x0 + x) * 3;
      out[i] = src[i];
      out[i + 1] = src[i + 1];
      out[i + 2] = src[i + 2];
    }
  }
  return { data: out, mask };
}
