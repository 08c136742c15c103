// The demo item kit: what every demo product kind is (its outline as a signed distance, its
// surface and its defect colours) and the helpers each kind paints with (coverage, lamp, rim).

import type { BenchLook } from './bench.ts';
import type { Rng } from './random.ts';
import { type Canvas, type Rgb, len } from './raster.ts';

export const ITEM_KINDS = ['glazed-tile', 'wood-disc', 'leather-patch'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface ItemShape {
  /** Centre in frame pixels, rotation (radians) and half extent (px). */
  cx: number;
  cy: number;
  angle: number;
  size: number;
  /** Signed distance (px) from (x, y) to the outline: negative inside the item. */
  sdf(x: number, y: number): number;
  /** Directions (radians, frame axes, from the centre) where a large break looks natural,
   *  e.g. the corners of a tile; null means anywhere on the outline. */
  breakAngles: number[] | null;
}

/** Colours a defect uses on this item (a scratch through a glaze differs from one in oak). */
export interface DefectPalette {
  scratchLight: Rgb;
  scratchDark: Rgb;
  stains: Rgb[];
  crack: Rgb;
  /** The material under the surface, seen along a broken edge (clay body, raw wood). */
  body: Rgb;
}

export interface ItemModel {
  kind: ItemKind;
  shape: ItemShape;
  palette: DefectPalette;
  /** Paints the item's surface colour into `surface` wherever `cover` (item coverage) > 0. */
  paint(surface: Canvas, cover: Float32Array): void;
}

export type ItemFactory = (rng: Rng, width: number, height: number, bench: BenchLook) => ItemModel;

/** Unit outward normal of the outline at (x, y), from the distance field's gradient. */
export function outlineNormal(shape: ItemShape, x: number, y: number): [number, number] {
  const gx = shape.sdf(x + 1, y) - shape.sdf(x - 1, y);
  const gy = shape.sdf(x, y + 1) - shape.sdf(x, y - 1);
  const norm = len(gx, gy) || 1;
  return [gx / norm, gy / norm];
}

/** Calls `visit` for every pixel the item covers, with its offset (u, v) from the centre in the
 *  item's own rotated axes, so each painter lays out its pattern relative to the item. */
export function forEachCovered(
  cover: Float32Array,
  width: number,
  height: number,
  shape: ItemShape,
  visit: (p: number, x: number, y: number, u: number, v: number) => void,
): void {
  const cosA = Math.cos(shape.angle);
  const sinA = Math.sin(shape.angle);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (cover[p] <= 0) continue;
      const dx = x - shape.cx;
      const dy = y - shape.cy;
      visit(p, x, y, dx * cosA + dy * sinA, -dx * sinA + dy * cosA);
    }
  }
}

/** Direction from the item centre to the bench lamp, for lighting a bevelled rim. */
export interface LampDirection {
  dx: number;
  dy: number;
  len: number;
}

export function lampDirection(bench: BenchLook, width: number, height: number, cx: number, cy: number): LampDirection {
  const dx = bench.lightX * width - cx;
  const dy = bench.lightY * height - cy;
  return { dx, dy, len: len(dx, dy) || 1 };
}

/** −1..1: how squarely the outline at (x, y) faces the lamp, so a bevel there catches the light
 *  (positive) or falls into shade (negative). */
export function rimFacing(shape: ItemShape, x: number, y: number, lamp: LampDirection): number {
  const [nx, ny] = outlineNormal(shape, x, y);
  return (nx * lamp.dx + ny * lamp.dy) / lamp.len;
}

/** A soft round reflection of the lamp on a shiny surface: `strength` at (cx, cy), gaussian fall-off
 *  with standard deviation `radius` px. Returns the brightness to add at (x, y). */
export function lampSpot(cx: number, cy: number, radius: number, strength: number): (x: number, y: number) => number {
  const twoSigma2 = 2 * radius ** 2;
  return (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    return strength * Math.exp(-(dx * dx + dy * dy) / twoSigma2);
  };
}

/** Centre jitter + clamp shared by all kinds: the artisan never puts it in quite the same spot. */
export function placeOnBench(rng: Rng, width: number, height: number): { cx: number; cy: number } {
  const jx = Math.max(-0.06, Math.min(0.06, rng.gaussian(0, 0.025)));
  const jy = Math.max(-0.06, Math.min(0.06, rng.gaussian(0, 0.025)));
  return { cx: width / 2 + jx * width, cy: height / 2 + jy * height };
}
