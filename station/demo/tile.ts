// A hand-glazed ceramic tile: a slightly irregular rounded square whose glaze pools darker in
// places, runs in drips from the top edge, breaks thin over the rim to show the buff clay, carries
// iron speckles, and catches a soft glossy highlight.

import type { BenchLook } from './bench.ts';
import {
  type ItemModel,
  type ItemShape,
  forEachCovered,
  lampDirection,
  lampSpot,
  placeOnBench,
  rimFacing,
} from './itemKit.ts';
import { Noise2D } from './noise.ts';
import type { Rng } from './random.ts';
import { type Canvas, blendPixel, clamp01, hsv, mix, mixRgb, smoothstep, len } from './raster.ts';

interface Drip {
  x: number; // local, −1..1 across the tile
  length: number; // local units from the top edge
  width: number; // local units
  wobble: number;
}

/** Where the tile lies and its outline: a rounded square, a little irregular, turned a few degrees. */
function placeTile(
  rng: Rng,
  width: number,
  height: number,
  s: number,
): { shape: ItemShape; hx: number; hy: number; half: number } {
  const place = rng.fork('place');
  const { cx, cy } = placeOnBench(place, width, height);
  const half = 76 * s * (1 + place.gaussian(0, 0.02));
  const hx = half * (1 + place.gaussian(0, 0.012));
  const hy = half * (1 + place.gaussian(0, 0.012));
  const angle = Math.max(-0.1, Math.min(0.1, place.gaussian(0, 0.045)));
  const rc = half * place.uniform(0.08, 0.14);
  const edgeNoise = new Noise2D(place.nextUint32());
  const wobble = 0.8 * s;
  const cosA = Math.cos(angle);
  const sinA = Math.sin(angle);

  const shape: ItemShape = {
    cx,
    cy,
    angle,
    size: half,
    sdf(x, y) {
      const dx = x - cx;
      const dy = y - cy;
      const u = dx * cosA + dy * sinA;
      const v = -dx * sinA + dy * cosA;
      const qx = Math.abs(u) - (hx - rc);
      const qy = Math.abs(v) - (hy - rc);
      const outside = len(Math.max(qx, 0), Math.max(qy, 0));
      const inside = Math.min(Math.max(qx, qy), 0);
      return outside + inside - rc + wobble * edgeNoise.at(x / (11 * s), y / (11 * s));
    },
    breakAngles: [0.25, 0.75, 1.25, 1.75].map((q) => angle + q * Math.PI),
  };
  return { shape, hx, hy, half };
}

/** How much extra glaze the drips leave at (u, v) (tile-local, −1..1): the strongest run there wins. */
function dripGlaze(drips: Drip[], noise: Noise2D, u: number, v: number): number {
  let drip = 0;
  for (const d of drips) {
    const along = v + 1;
    if (along > d.length + d.width) continue;
    // a run of glaze: meandering, thinning and thickening, ending in a rounded bead
    const centre = d.x + 0.018 * Math.sin(along * 9 + d.wobble) + 0.01 * noise.at(along * 6 + d.wobble, 3.3);
    const toBead = (along - (d.length - d.width)) / (1.4 * d.width);
    const w = d.width * (0.65 + 0.2 * Math.sin(along * 17 + d.wobble * 3) + 0.55 * Math.exp(-toBead * toBead));
    const across = 1 - smoothstep(w * 0.35, w, Math.abs(u - centre));
    const tip = 1 - smoothstep(d.length - d.width * 0.3, d.length + d.width * 0.5, along);
    drip = Math.max(drip, across * tip * (0.55 + 0.45 * Math.min(1, along / d.length)));
  }
  return drip;
}

export function createGlazedTile(rng: Rng, width: number, height: number, bench: BenchLook): ItemModel {
  const s = Math.min(width, height) / 256;
  const { shape, hx, hy, half } = placeTile(rng, width, height, s);
  const { cx, cy } = shape;

  // glaze colour: one product colour (celadon teal) with batch-to-batch drift
  const look = rng.fork('glaze');
  const hue = 176 + look.gaussian(0, 4);
  const sat = 0.42 + look.gaussian(0, 0.035);
  const val = 0.64 + look.gaussian(0, 0.03);
  const thick = hsv(hue + 5, Math.min(1, sat * 1.3), val * 0.7);
  const thin = hsv(hue - 8, sat * 0.62, Math.min(1, val * 1.17));
  const clay = hsv(32 + look.gaussian(0, 3), 0.3, 0.8);
  const rimColour = mixRgb(thin, clay, 0.7);
  const noise = new Noise2D(look.nextUint32());
  const ox = look.uniform(0, 100);
  const oy = look.uniform(0, 100);
  const rimWidth = 5.5 * s * look.uniform(0.85, 1.2);
  const drips: Drip[] = [];
  for (let n = look.int(2, 5); n > 0; n--) {
    drips.push({
      x: look.uniform(-0.8, 0.8),
      length: look.uniform(0.12, 0.45),
      width: look.uniform(0.025, 0.05),
      wobble: look.uniform(0, 10),
    });
  }
  const hlX = bench.lightX * width + look.gaussian(0, 4 * s);
  const hlY = bench.lightY * height + look.gaussian(0, 4 * s);
  const glossAt = lampSpot(hlX, hlY, 0.45 * half, 0.13);
  const lamp = lampDirection(bench, width, height, cx, cy);
  const speckleCount = Math.round(0.0022 * 4 * hx * hy);
  const speckles = look.fork('speckles');

  function paint(surface: Canvas, cover: Float32Array): void {
    const { data } = surface;
    forEachCovered(cover, width, height, shape, (p, x, y, lu, lv) => {
      const u = lu / hx;
      const v = lv / hy;
      // glaze thickness: broad pooling + drips running down from the top edge
      const pool = noise.fbm(u * 2.2 + ox, v * 2.2 + oy, 4);
      const drip = dripGlaze(drips, noise, u, v);
      const t = clamp01(0.5 + 0.3 * pool + 0.5 * drip);
      let r = mix(thin[0], thick[0], t);
      let g = mix(thin[1], thick[1], t);
      let b = mix(thin[2], thick[2], t);
      // orange-peel micro texture of a fired glaze
      const peel = 1 + 0.03 * noise.at(x / (2.1 * s) + 300, y / (2.1 * s));
      // rim: the glaze breaks thin over the edge, and the bevel catches or loses the light
      const inside = -shape.sdf(x, y);
      let shade = peel;
      if (inside < rimWidth * 1.6) {
        const rim = 1 - smoothstep(0, rimWidth, inside);
        [r, g, b] = mixRgb([r, g, b], rimColour, rim * 0.75);
        shade *= 1 + 0.22 * rim * rimFacing(shape, x, y, lamp);
      }
      const gloss = glossAt(x, y);
      const i = p * 3;
      data[i] = r * shade + gloss;
      data[i + 1] = g * shade + gloss;
      data[i + 2] = b * shade + gloss;
    });
    // iron speckles from the clay body bleeding through the glaze
    const dark = hsv(24, 0.55, 0.22);
    for (let k = 0; k < speckleCount; k++) {
      const px = cx + speckles.uniform(-hx, hx);
      const py = cy + speckles.uniform(-hy, hy);
      const radius = speckles.uniform(0.5, 1.4) * s;
      const strength = speckles.uniform(0.35, 0.85);
      stampDot(surface, cover, px, py, radius, dark, strength);
    }
  }

  return {
    kind: 'glazed-tile',
    shape,
    palette: {
      scratchLight: hsv(hue, sat * 0.2, 0.9),
      scratchDark: hsv(25, 0.3, 0.28),
      stains: [hsv(24, 0.65, 0.38), hsv(38, 0.12, 0.86), hsv(218, 0.55, 0.35)],
      crack: hsv(25, 0.45, 0.14),
      body: clay,
    },
    paint,
  };
}

/** A small anti-aliased dot, only where the item is. */
export function stampDot(
  surface: Canvas,
  cover: Float32Array,
  px: number,
  py: number,
  radius: number,
  colour: [number, number, number],
  strength: number,
): void {
  const { width, height } = surface;
  const x0 = Math.max(0, Math.floor(px - radius - 1));
  const x1 = Math.min(width - 1, Math.ceil(px + radius + 1));
  const y0 = Math.max(0, Math.floor(py - radius - 1));
  const y1 = Math.min(height - 1, Math.ceil(py + radius + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (cover[y * width + x] <= 0) continue;
      const a = clamp01(radius + 0.5 - len(x - px, y - py));
      blendPixel(surface, x, y, colour, a * strength);
    }
  }
}
