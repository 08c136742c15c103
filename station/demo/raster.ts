// Small raster toolkit: a float RGB canvas (0..1 per channel) and the few drawing helpers the
// item painters and defect drawers share.

export type Rgb = [number, number, number];

export interface Canvas {
  width: number;
  height: number;
  /** Interleaved RGB, 0..1, row-major. */
  data: Float32Array;
}

export function createCanvas(width: number, height: number): Canvas {
  return { width, height, data: new Float32Array(width * height * 3) };
}

/** Euclidean length; Math.hypot is several times slower in V8's hot loops. */
export const len = (x: number, y: number): number => Math.sqrt(x * x + y * y);

export const clamp01 = (v: number): number => (v < 0 ? 0 : Math.min(v, 1));

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}

export const mix = (a: number, b: number, t: number): number => a + (b - a) * t;

export function mixRgb(a: Rgb, b: Rgb, t: number): Rgb {
  return [mix(a[0], b[0], t), mix(a[1], b[1], t), mix(a[2], b[2], t)];
}

/** HSV (hue in degrees, s and v in 0..1) to RGB 0..1. */
export function hsv(h: number, s: number, v: number): Rgb {
  const hh = (((h % 360) + 360) % 360) / 60;
  const c = v * s;
  const x = c * (1 - Math.abs((hh % 2) - 1));
  const m = v - c;
  const i = Math.floor(hh);
  const [r, g, b] =
    i === 0
      ? [c, x, 0]
      : i === 1
        ? [x, c, 0]
        : i === 2
          ? [0, c, x]
          : i === 3
            ? [0, x, c]
            : i === 4
              ? [x, 0, c]
              : [c, 0, x];
  return [r + m, g + m, b + m];
}

/** Blends `colour` into pixel (x, y) with weight `alpha` (0..1). */
export function blendPixel(canvas: Canvas, x: number, y: number, colour: Rgb, alpha: number): void {
  if (alpha <= 0) return;
  const i = (y * canvas.width + x) * 3;
  const d = canvas.data;
  const a = Math.min(alpha, 1);
  d[i] += (colour[0] - d[i]) * a;
  d[i + 1] += (colour[1] - d[i + 1]) * a;
  d[i + 2] += (colour[2] - d[i + 2]) * a;
}

/** Separable box blur of a single-channel image, repeated `passes` times (3 passes ≈ gaussian). */
export function boxBlur(src: Float32Array, width: number, height: number, radius: number, passes = 3): Float32Array {
  // each pass blurs a→b horizontally, then b→a vertically, so the result always ends in `a`
  const a = Float32Array.from(src);
  const b = new Float32Array(src.length);
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return a;
  const norm = 1 / (2 * r + 1);
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < height; y++) {
      const row = y * width;
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += a[row + Math.min(width - 1, Math.max(0, k))];
      for (let x = 0; x < width; x++) {
        b[row + x] = sum * norm;
        sum += a[row + Math.min(width - 1, x + r + 1)] - a[row + Math.max(0, x - r)];
      }
    }
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += b[Math.min(height - 1, Math.max(0, k)) * width + x];
      for (let y = 0; y < height; y++) {
        a[y * width + x] = sum * norm;
        sum += b[Math.min(height - 1, y + r + 1) * width + x] - b[Math.max(0, y - r) * width + x];
      }
    }
  }
  return a;
}

/** Distance from point p to segment a–b, and the position t (0..1) of the closest point. */
export function segmentDistance(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): { d: number; t: number } {
  const vx = bx - ax;
  const vy = by - ay;
  const len2 = vx * vx + vy * vy;
  let t = len2 > 0 ? ((px - ax) * vx + (py - ay) * vy) / len2 : 0;
  t = t < 0 ? 0 : Math.min(t, 1);
  const dx = px - (ax + t * vx);
  const dy = py - (ay + t * vy);
  return { d: Math.sqrt(dx * dx + dy * dy), t };
}

/** Sets mask pixels within `radius` of any set pixel (square neighbourhood; radius is small). */
export function dilateMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (let yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++) {
        out.fill(1, yy * width + Math.max(0, x - radius), yy * width + Math.min(width - 1, x + radius) + 1);
      }
    }
  }
  return out;
}

/** Quantises a canvas to 8-bit RGB. */
export function toRgb8(canvas: Canvas): Uint8Array {
  const out = new Uint8Array(canvas.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = canvas.data[i] * 255 + 0.5;
    out[i] = v < 0 ? 0 : Math.min(v, 255);
  }
  return out;
}
