// A small colour thumbnail of a frame, the only thing the trigger looks at. Plain JS box
// averaging (with at most 4×4 samples per box) keeps it well under a millisecond for a
// 640×480 frame and smooths sensor noise before differencing. Colour, not luma: a teal glaze
// on a grey bench can have the bench's brightness, and an item the trigger cannot see is never inspected.
import type { Frame } from '../capture/types.ts';

export interface Thumb {
  width: number;
  height: number;
  /** RGB 0..255, row-major, 3 values per pixel. */
  rgb: Uint8Array;
}

/** Downscale an RGB frame to `width` pixels wide (height keeps the aspect ratio). */
export function toThumb(frame: Pick<Frame, 'width' | 'height' | 'data'>, width = 160): Thumb {
  const W = frame.width;
  const H = frame.height;
  const w = Math.max(1, Math.min(W, Math.round(width)));
  const h = Math.max(1, Math.round((H * w) / W));
  const rgb = new Uint8Array(w * h * 3);
  const data = frame.data;
  const xs = boxes(W, w);
  const ys = boxes(H, h);
  for (let ty = 0; ty < h; ty++) {
    const y0 = ys.start[ty];
    const y1 = ys.end[ty];
    const ystep = ys.step[ty];
    for (let tx = 0; tx < w; tx++) {
      const x0 = xs.start[tx];
      const x1 = xs.end[tx];
      const xstep = xs.step[tx];
      let r = 0,
        g = 0,
        b = 0,
        n = 0;
      for (let y = y0; y < y1; y += ystep) {
        let p = (y * W + x0) * 3;
        const pstep = xstep * 3;
        for (let x = x0; x < x1; x += xstep, p += pstep) {
          r += data[p];
          g += data[p + 1];
          b += data[p + 2];
          n++;
        }
      }
      const o = (ty * w + tx) * 3;
      rgb[o] = Math.round(r / n);
      rgb[o + 1] = Math.round(g / n);
      rgb[o + 2] = Math.round(b / n);
    }
  }
  return { width: w, height: h, rgb };
}

/** Source bounds of each output pixel along one axis, sampling at most 4 positions per box. */
function boxes(src: number, dst: number): { start: Int32Array; end: Int32Array; step: Int32Array } {
  const start = new Int32Array(dst);
  const end = new Int32Array(dst);
  const step = new Int32Array(dst);
  for (let i = 0; i < dst; i++) {
    const a = Math.floor((i * src) / dst);
    const b = Math.max(a + 1, Math.floor(((i + 1) * src) / dst));
    start[i] = a;
    end[i] = b;
    step[i] = Math.max(1, Math.ceil((b - a) / 4));
  }
  return { start, end, step };
}

/** Region of interest in frame-normalised coordinates (0..1). */
export interface Roi {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Pixel bounds of a normalised ROI inside a thumb; the whole thumb when roi is absent. */
export function roiBounds(
  t: Pick<Thumb, 'width' | 'height'>,
  roi?: Roi,
): { x0: number; y0: number; x1: number; y1: number } {
  if (!roi) return { x0: 0, y0: 0, x1: t.width, y1: t.height };
  const x0 = Math.max(0, Math.floor(roi.x * t.width));
  const y0 = Math.max(0, Math.floor(roi.y * t.height));
  const x1 = Math.min(t.width, Math.max(x0 + 1, Math.ceil((roi.x + roi.width) * t.width)));
  const y1 = Math.min(t.height, Math.max(y0 + 1, Math.ceil((roi.y + roi.height) * t.height)));
  return { x0, y0, x1, y1 };
}

/**
 * Fraction of ROI pixels whose largest channel difference |a - b| exceeds threshold.
 * `a` and `b` are RGB thumbs of the same size (`a` may be a float background).
 */
export function changedFraction(
  a: ArrayLike<number>,
  b: Uint8Array,
  width: number,
  bounds: { x0: number; y0: number; x1: number; y1: number },
  threshold: number,
): number {
  let changed = 0;
  for (let y = bounds.y0; y < bounds.y1; y++) {
    for (let x = bounds.x0, p = (y * width + bounds.x0) * 3; x < bounds.x1; x++, p += 3) {
      const d = Math.max(Math.abs(a[p] - b[p]), Math.abs(a[p + 1] - b[p + 1]), Math.abs(a[p + 2] - b[p + 2]));
      if (d > threshold) changed++;
    }
  }
  return changed / ((bounds.x1 - bounds.x0) * (bounds.y1 - bounds.y0));
}
