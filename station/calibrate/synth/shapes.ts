// Anti-aliased coverage of the two shapes every defect is made of: a stroke along a polyline
// (scratches, cracks) and an irregular soft-edged blob (spots, patches, chips).

export interface Layer {
  width: number;
  height: number;
  /** Coverage 0..1 per pixel. */
  a: Float32Array;
  /** The window [x0, x1) × [y0, y1) outside which coverage is 0. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function createLayer(width: number, height: number): Layer {
  return { width, height, a: new Float32Array(width * height), x0: width, y0: height, x1: 0, y1: 0 };
}

/** Clips a window to the frame and widens the layer's window to hold it. */
function window(layer: Layer, x0: number, y0: number, x1: number, y1: number): [number, number, number, number] {
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const right = Math.min(layer.width, Math.ceil(x1) + 1);
  const bottom = Math.min(layer.height, Math.ceil(y1) + 1);
  layer.x0 = Math.min(layer.x0, left);
  layer.y0 = Math.min(layer.y0, top);
  layer.x1 = Math.max(layer.x1, right);
  layer.y1 = Math.max(layer.y1, bottom);
  return [left, top, right, bottom];
}

const clamp01 = (v: number): number => (v < 0 ? 0 : Math.min(v, 1));

export interface StrokePoint {
  x: number;
  y: number;
  /** Width (px) and opacity at this point; both vary linearly to the next one. */
  w: number;
  o: number;
}

/** Paints a polyline: coverage is the pixel's overlap with the line, approximated by distance. */
export function stroke(layer: Layer, points: StrokePoint[]): void {
  const { a, width } = layer;
  for (let i = 0; i + 1 < points.length; i++) {
    const p = points[i];
    const q = points[i + 1];
    const reach = Math.max(p.w, q.w) / 2 + 1;
    const [x0, y0, x1, y1] = window(
      layer,
      Math.min(p.x, q.x) - reach,
      Math.min(p.y, q.y) - reach,
      Math.max(p.x, q.x) + reach,
      Math.max(p.y, q.y) + reach,
    );
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const l2 = dx * dx + dy * dy || 1e-9;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const t = clamp01(((x - p.x) * dx + (y - p.y) * dy) / l2);
        const d = Math.hypot(x - p.x - t * dx, y - p.y - t * dy);
        const w = p.w + (q.w - p.w) * t;
        const cov = clamp01(w / 2 + 0.5 - d) * (p.o + (q.o - p.o) * t);
        const k = y * width + x;
        if (cov > a[k]) a[k] = cov;
      }
    }
  }
}

export interface Blob {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
  /** Outline ripples as triples (harmonic k, relative amplitude, phase). */
  wobble: number[];
  /** Width (px) of the soft edge. */
  feather: number;
}

/** An irregular ellipse of mean radius r; `jag` 0 gives a gentle outline, 1 a broken one. */
export function randomBlob(rand: () => number, cx: number, cy: number, r: number, jag: number, feather: number): Blob {
  const aspect = 0.6 + 0.8 * rand();
  const wobble: number[] = [];
  let total = 0;
  for (let k = 2; k <= 3 + Math.round(jag * 9); k++) {
    const amp = ((0.06 + 0.14 * jag) * rand()) / k ** 0.6;
    wobble.push(k, amp, rand() * 2 * Math.PI);
    total += amp;
  }
  // keep the outline well away from the centre, whatever the ripples add up to
  if (total > 0.45) for (let i = 1; i < wobble.length; i += 3) wobble[i] *= 0.45 / total;
  return { cx, cy, rx: r * Math.sqrt(aspect), ry: r / Math.sqrt(aspect), angle: rand() * Math.PI, wobble, feather };
}

/** Paints a blob, grown outward by `grow` px (to draw a rim around it). */
export function blob(layer: Layer, b: Blob, grow = 0): void {
  const { a, width } = layer;
  const reach = Math.max(b.rx, b.ry) * 1.5 + grow + b.feather + 1;
  const [x0, y0, x1, y1] = window(layer, b.cx - reach, b.cy - reach, b.cx + reach, b.cy + reach);
  const cos = Math.cos(b.angle);
  const sin = Math.sin(b.angle);
  const rMean = (b.rx + b.ry) / 2;
  const feather = Math.max(0.5, b.feather);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const dx = x - b.cx;
      const dy = y - b.cy;
      const u = (dx * cos + dy * sin) / b.rx;
      const v = (-dx * sin + dy * cos) / b.ry;
      const theta = Math.atan2(v, u);
      let edge = 1;
      for (let i = 0; i < b.wobble.length; i += 3)
        edge += b.wobble[i + 1] * Math.sin(b.wobble[i] * theta + b.wobble[i + 2]);
      // signed distance to the outline in px (approximate, exact for a circle)
      const sd = (Math.hypot(u, v) - edge) * rMean;
      const cov = clamp01((grow - sd) / feather + 0.5);
      const k = y * width + x;
      if (cov > a[k]) a[k] = cov;
    }
  }
}
