// Drawn defects. Two families:
//  - cuts (chip, missing): a piece of the outline is gone, the bench shows through and the
//    broken edge shows the body material; planned before the item is composited.
//  - surface marks (scratch, spot, crack): painted over the finished item.
// Every defect reports a binary mask (1 = defect pixel, 0 = not) the size of the frame.

import { type DefectPalette, type ItemShape, outlineNormal } from './itemKit.ts';
import { Noise2D } from './noise.ts';
import type { Rng } from './random.ts';
import { type Canvas, type Rgb, blendPixel, clamp01, smoothstep, len } from './raster.ts';

export const DEFECT_KINDS = ['scratch', 'spot', 'chip', 'crack', 'missing'] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

export function checkDefectKind(defect: unknown): DefectKind | null {
  if (defect === null || defect === undefined) return null;
  if (typeof defect === 'string' && (DEFECT_KINDS as readonly string[]).includes(defect)) return defect as DefectKind;
  throw new Error(`demo generator: unknown defect "${String(defect)}"; use one of ${DEFECT_KINDS.join(', ')} or null`);
}

export const isCut = (d: DefectKind): d is 'chip' | 'missing' => d === 'chip' || d === 'missing';

/** A region removed from the item: sdf < 0 inside the removed part. */
export interface Cut {
  sdf(x: number, y: number): number;
}

/** Where the outline crosses the ray from the item centre at angle `theta` (bisection on the sdf). */
export function boundaryPoint(shape: ItemShape, theta: number): [number, number] {
  const dx = Math.cos(theta);
  const dy = Math.sin(theta);
  let lo = 0;
  let hi = shape.size * 2;
  for (let k = 0; k < 30; k++) {
    const mid = (lo + hi) / 2;
    if (shape.sdf(shape.cx + dx * mid, shape.cy + dy * mid) < 0) lo = mid;
    else hi = mid;
  }
  return [shape.cx + dx * lo, shape.cy + dy * lo];
}

/** A uniformly random point at least `margin` px inside the outline. */
export function interiorPoint(shape: ItemShape, rng: Rng, margin: number): [number, number] {
  for (let k = 0; k < 500; k++) {
    const x = shape.cx + rng.uniform(-shape.size, shape.size) * 1.1;
    const y = shape.cy + rng.uniform(-shape.size, shape.size) * 1.1;
    if (shape.sdf(x, y) < -margin) return [x, y];
  }
  return [shape.cx, shape.cy];
}

/** `severity` (default 1) scales the size of the piece; the random draws are the same for any severity. */
export function planCut(kind: 'chip' | 'missing', shape: ItemShape, rng: Rng, scale: number, severity = 1): Cut {
  const grow = 0.5 + 0.5 * severity;
  const noise = new Noise2D(rng.nextUint32());
  if (kind === 'chip') {
    // a shallow flake off the rim: longer along the edge than deep, with a ragged fracture line
    const theta = rng.uniform(0, 2 * Math.PI);
    const [bx, by] = boundaryPoint(shape, theta);
    const [nx, ny] = outlineNormal(shape, bx, by);
    const radius = rng.uniform(8, 12) * scale * grow;
    const along = radius * rng.uniform(1.1, 1.5);
    const deep = radius * rng.uniform(0.6, 0.85);
    const inward = rng.uniform(0, 0.3) * deep;
    const cx = bx - nx * inward;
    const cy = by - ny * inward;
    return {
      sdf(x, y) {
        const dx = x - cx;
        const dy = y - cy;
        const t = (dx * -ny + dy * nx) / along;
        const n = (dx * nx + dy * ny) / deep;
        const jag =
          0.22 * noise.at(x / (4 * scale), y / (4 * scale)) + 0.1 * noise.at(x / (1.6 * scale) + 40, y / (1.6 * scale));
        return (len(t, n) - 1 - jag) * deep;
      },
    };
  }
  // missing: a larger piece broken off along a jagged line (a tile corner, a slice of a disc)
  const theta = shape.breakAngles ? rng.pick(shape.breakAngles) + rng.gaussian(0, 0.08) : rng.uniform(0, 2 * Math.PI);
  const [bx, by] = boundaryPoint(shape, theta);
  const depth = rng.uniform(0.17, 0.26) * shape.size * (shape.breakAngles ? 1.35 : 1) * grow;
  const tilt = theta + rng.gaussian(0, 0.2);
  const nx = Math.cos(tilt);
  const ny = Math.sin(tilt);
  const px = bx - Math.cos(theta) * depth;
  const py = by - Math.sin(theta) * depth;
  return {
    sdf(x, y) {
      const along = (x - px) * -ny + (y - py) * nx;
      const jag = 2.6 * scale * noise.at(along / (7 * scale), 0.5) + 0.9 * scale * noise.at(along / (2 * scale), 7.5);
      return -((x - px) * nx + (y - py) * ny) + jag;
    },
  };
}

/** Lightens the remaining item along a cut to the body colour; returns the cut's mask. */
export function drawBrokenEdge(
  canvas: Canvas,
  goodCover: Float32Array,
  cover: Float32Array,
  cut: Cut,
  palette: DefectPalette,
  scale: number,
): Uint8Array {
  const { width, height } = canvas;
  const band = 2.4 * scale;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (goodCover[p] <= 0) continue;
      const d = cut.sdf(x, y);
      if (d > band) continue;
      if (goodCover[p] >= 0.5) mask[p] = 1;
      if (cover[p] > 0) blendPixel(canvas, x, y, palette.body, 0.8 * (1 - smoothstep(0.6 * scale, band, d)) * cover[p]);
    }
  }
  return mask;
}

/** Paints a scratch, spot or crack over the item (weighted by `cover`); returns its mask.
 *  `severity` (default 1) scales how strongly it shows, not where it is. */
export function drawSurfaceDefect(
  kind: 'scratch' | 'spot' | 'crack',
  canvas: Canvas,
  cover: Float32Array,
  shape: ItemShape,
  palette: DefectPalette,
  rng: Rng,
  scale: number,
  severity = 1,
): Uint8Array {
  const { width, height } = canvas;
  const alpha = new Float32Array(width * height);
  let colour: Rgb;
  let threshold: number;
  if (kind === 'scratch') {
    colour = rng.chance(0.7) ? palette.scratchLight : palette.scratchDark;
    const strength = Math.min(1, rng.uniform(0.6, 0.85) * severity);
    const lineWidth = rng.uniform(1.5, 2.6) * scale;
    strokePath(
      alpha,
      width,
      height,
      scratchPath(shape, rng),
      lineWidth,
      strength,
      true,
      new Noise2D(rng.nextUint32()),
      scale,
    );
    threshold = 0.12;
  } else if (kind === 'crack') {
    colour = palette.crack;
    const strength = Math.min(1, rng.uniform(0.7, 0.9) * severity);
    const lineWidth = rng.uniform(1.0, 1.6) * scale;
    const noise = new Noise2D(rng.nextUint32());
    const main = crackPath(shape, rng, scale);
    strokePath(alpha, width, height, main, lineWidth, strength, false, noise, scale);
    if (main.length > 8 && rng.chance(0.6)) {
      const from = main[rng.int(Math.floor(main.length / 3), main.length - 3)];
      const branch = randomWalk(
        shape,
        rng,
        from,
        rng.uniform(0, 2 * Math.PI),
        rng.uniform(0.15, 0.3) * shape.size,
        scale,
      );
      strokePath(alpha, width, height, branch, lineWidth * 0.8, strength, false, noise, scale);
    }
    threshold = 0.12;
  } else {
    colour = rng.pick(palette.stains);
    threshold = paintStain(alpha, width, height, cover, shape, rng, scale, severity);
  }
  // dark stains soak in: they tint what is underneath (grain stays visible) instead of covering it
  const soak = kind === 'spot' && 0.3 * colour[0] + 0.59 * colour[1] + 0.11 * colour[2] < 0.45;
  const tint: Rgb = [Math.min(1, colour[0] * 2.4), Math.min(1, colour[1] * 2.4), Math.min(1, colour[2] * 2.4)];
  const data = canvas.data;
  const mask = new Uint8Array(width * height);
  for (let p = 0; p < alpha.length; p++) {
    const a = alpha[p] * cover[p];
    if (a <= 0) continue;
    if (soak) {
      // a tint only darkens part-way, so it soaks in more densely than a covering blotch
      const i = p * 3;
      blendPixel(
        canvas,
        p % width,
        (p / width) | 0,
        [data[i] * tint[0], data[i + 1] * tint[1], data[i + 2] * tint[2]],
        Math.min(1, a * 1.4),
      );
    } else {
      blendPixel(canvas, p % width, (p / width) | 0, colour, a);
    }
    if (a >= threshold && cover[p] >= 0.5) mask[p] = 1;
  }
  return mask;
}

type Path = Array<[number, number]>;

function scratchPath(shape: ItemShape, rng: Rng): Path {
  for (let attempt = 0; attempt < 40; attempt++) {
    const [x0, y0] = interiorPoint(shape, rng, shape.size * 0.15);
    const length = rng.uniform(0.45, 0.9) * shape.size;
    const dir = rng.uniform(0, 2 * Math.PI);
    const bend = rng.uniform(-0.2, 0.2) * length;
    const x2 = x0 + Math.cos(dir) * length;
    const y2 = y0 + Math.sin(dir) * length;
    const x1 = (x0 + x2) / 2 - Math.sin(dir) * bend;
    const y1 = (y0 + y2) / 2 + Math.cos(dir) * bend;
    if (shape.sdf(x2, y2) > -shape.size * 0.08 || shape.sdf(x1, y1) > -shape.size * 0.08) continue;
    const path: Path = [];
    for (let k = 0; k <= 20; k++) {
      const t = k / 20;
      const a = (1 - t) * (1 - t);
      const b = 2 * (1 - t) * t;
      const c = t * t;
      path.push([a * x0 + b * x1 + c * x2, a * y0 + b * y1 + c * y2]);
    }
    return path;
  }
  throw new Error('demo generator: could not place a scratch inside the item (item too small for the frame?)');
}

function crackPath(shape: ItemShape, rng: Rng, scale: number): Path {
  // cracks run in from the rim, where the stress of firing or drying opens them; a walk that
  // runs straight back out of the item (e.g. started at a corner) is thrown away
  let best: Path = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const theta = rng.uniform(0, 2 * Math.PI);
    const [bx, by] = boundaryPoint(shape, theta);
    const start: [number, number] = [bx - Math.cos(theta) * 2 * scale, by - Math.sin(theta) * 2 * scale];
    const heading = theta + Math.PI + rng.gaussian(0, 0.35);
    const length = rng.uniform(0.45, 0.85) * shape.size;
    const path = randomWalk(shape, rng, start, heading, length, scale);
    if (path.length * 2.5 * scale >= 0.6 * length) return path;
    if (path.length > best.length) best = path;
  }
  if (best.length < 4) throw new Error('demo generator: could not place a crack inside the item');
  return best;
}

/** A jagged walk: each step turns a little, pulled back towards the overall heading. */
function randomWalk(
  shape: ItemShape,
  rng: Rng,
  start: [number, number],
  heading: number,
  length: number,
  scale: number,
): Path {
  const step = 2.5 * scale;
  const path: Path = [start];
  let [x, y] = start;
  let dir = heading;
  for (let walked = 0; walked < length; walked += step) {
    dir += rng.gaussian(0, 0.45) + 0.35 * (heading - dir);
    const nx = x + Math.cos(dir) * step;
    const ny = y + Math.sin(dir) * step;
    if (shape.sdf(nx, ny) > -1.5 * scale) break;
    x = nx;
    y = ny;
    path.push([x, y]);
  }
  return path;
}

/** Strokes a polyline into `alpha` (max-combined), tapering and varying its strength along it. */
function strokePath(
  alpha: Float32Array,
  width: number,
  height: number,
  path: Path,
  lineWidth: number,
  strength: number,
  taperStart: boolean,
  noise: Noise2D,
  scale: number,
): void {
  const lengths = [0];
  for (let k = 1; k < path.length; k++)
    lengths.push(lengths[k - 1] + len(path[k][0] - path[k - 1][0], path[k][1] - path[k - 1][1]));
  const total = lengths[lengths.length - 1] || 1;
  const reach = lineWidth / 2 + 1;
  for (let k = 1; k < path.length; k++) {
    const [ax, ay] = path[k - 1];
    const [bx, by] = path[k];
    const vx = bx - ax;
    const vy = by - ay;
    const len2 = vx * vx + vy * vy || 1e-9;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + reach));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        let t = ((x - ax) * vx + (y - ay) * vy) / len2;
        t = t < 0 ? 0 : Math.min(t, 1);
        const d = len(x - (ax + t * vx), y - (ay + t * vy));
        const cover = clamp01(lineWidth / 2 + 0.5 - d);
        if (cover <= 0) continue;
        const s = (lengths[k - 1] + t * (lengths[k] - lengths[k - 1])) / total;
        const taper = (taperStart ? smoothstep(0, 0.1, s) : 1) * (1 - smoothstep(0.85, 1, s));
        const grit = 0.8 + 0.2 * noise.at((s * total) / (3 * scale), 0.3);
        const a = cover * strength * taper * grit;
        const p = y * width + x;
        if (a > alpha[p]) alpha[p] = a;
      }
    }
  }
}

/** A blotchy stain covering 2–4.5 % of the item; returns the alpha above which it counts. */
function paintStain(
  alpha: Float32Array,
  width: number,
  height: number,
  cover: Float32Array,
  shape: ItemShape,
  rng: Rng,
  scale: number,
  severity: number,
): number {
  let itemArea = 0;
  for (let p = 0; p < cover.length; p++) if (cover[p] >= 0.5) itemArea++;
  const radius = Math.sqrt((rng.uniform(0.02, 0.045) * itemArea) / Math.PI);
  const [cx, cy] = interiorPoint(shape, rng, radius * 1.3 + 3 * scale);
  const opacity = Math.min(1, rng.uniform(0.4, 0.6) * severity);
  const noise = new Noise2D(rng.nextUint32());
  const soft = 2.5 * scale;
  const reach = radius * 1.6 + soft;
  for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(height - 1, Math.ceil(cy + reach)); y++) {
    for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(width - 1, Math.ceil(cx + reach)); x++) {
      const dx = x - cx;
      const dy = y - cy;
      const d = len(dx, dy) || 1e-6;
      // irregular outline: a wobbly radius plus a domain warp so it never looks like a polygon
      const edge = radius * (1 + 0.12 * noise.at((3 * dx) / d + 20, (3 * dy) / d));
      const dw = d + 0.22 * radius * noise.fbm(x / (0.45 * radius) + 60, y / (0.45 * radius), 3);
      const inner = 1 - smoothstep(edge - soft, edge + 0.5 * scale, dw);
      if (inner <= 0) continue;
      // a darker tide-line where the stain dried, and blotchy density inside
      const tide = 1 + 0.35 * smoothstep(edge - 5 * scale, edge - 1.5 * scale, dw);
      const blotch = 0.85 + 0.15 * noise.at(x / (5 * scale), y / (5 * scale));
      alpha[y * width + x] = Math.min(1, opacity * inner * tide * blotch);
    }
  }
  return opacity * 0.35;
}
