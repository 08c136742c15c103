// A stitched leather patch: a rounded rectangle of pebble-grained tan leather with burnished
// (darker) edges and a running stitch of cream thread set in from the edge.

import type { BenchLook } from './bench.ts';
import { type ItemModel, type ItemShape, forEachCovered, lampDirection, placeOnBench, rimFacing } from './itemKit.ts';
import { Noise2D } from './noise.ts';
import type { Rng } from './random.ts';
import { type Canvas, hsv, mix, mixRgb, smoothstep, len } from './raster.ts';

export function createLeatherPatch(rng: Rng, width: number, height: number, bench: BenchLook): ItemModel {
  const s = Math.min(width, height) / 256;
  const place = rng.fork('place');
  const { cx, cy } = placeOnBench(place, width, height);
  const hx = 86 * s * (1 + place.gaussian(0, 0.02));
  const hy = 66 * s * (1 + place.gaussian(0, 0.02));
  const angle = Math.max(-0.12, Math.min(0.12, place.gaussian(0, 0.05)));
  const rc = 16 * s * place.uniform(0.85, 1.2);
  const edgeNoise = new Noise2D(place.nextUint32());
  const cosA = Math.cos(angle);
  const sinA = Math.sin(angle);
  const cut = (u: number, v: number, inset: number): number => {
    const qx = Math.abs(u) - (hx - inset - rc);
    const qy = Math.abs(v) - (hy - inset - rc);
    return len(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - rc;
  };

  const shape: ItemShape = {
    cx,
    cy,
    angle,
    size: Math.max(hx, hy),
    sdf(x, y) {
      const dx = x - cx;
      const dy = y - cy;
      return cut(dx * cosA + dy * sinA, -dx * sinA + dy * cosA, 0) + 0.6 * s * edgeNoise.at(x / (8 * s), y / (8 * s));
    },
    breakAngles: null,
  };

  const look = rng.fork('hide');
  const hue = 26 + look.gaussian(0, 3);
  const sat = 0.58 + look.gaussian(0, 0.04);
  const val = 0.56 + look.gaussian(0, 0.035);
  const base = hsv(hue, sat, val);
  const burnished = hsv(hue - 4, Math.min(1, sat * 1.1), val * 0.55);
  const thread = hsv(45 + look.gaussian(0, 4), 0.18, 0.86);
  const noise = new Noise2D(look.nextUint32());
  const inset = 8 * s * look.uniform(0.9, 1.1);
  const pitch = 6 * s * look.uniform(0.9, 1.1);
  const stitchPhase = look.next();
  const ox = look.uniform(0, 100);
  const grain = look.uniform(3.6, 4.4); // cell size in px at 256
  const cell = new Float64Array(2);
  const lamp = lampDirection(bench, width, height, cx, cy);

  function paint(surface: Canvas, cover: Float32Array): void {
    const { data } = surface;
    forEachCovered(cover, width, height, shape, (p, x, y, u, v) => {
      // pebble grain: rounded raised cells (lit a little on top) with creases between them
      noise.cells(u / (grain * s) + ox, v / (grain * s), cell);
      const crease = 1 - smoothstep(0.02, 0.22, cell[1]);
      const dome = 1 - Math.min(1, cell[0]);
      const mottle = noise.fbm(u / (60 * s) + ox, v / (60 * s), 3);
      let shade = (1 - 0.15 * crease) * (0.96 + 0.07 * dome) * (1 + 0.08 * mottle);
      let r = base[0];
      let g = base[1];
      let b = base[2];
      const inside = -shape.sdf(x, y);
      if (inside < 5 * s) {
        const rim = 1 - smoothstep(0, 3.5 * s, inside);
        [r, g, b] = mixRgb([r, g, b], burnished, rim * 0.7);
        shade *= 1 + 0.2 * rim * rimFacing(shape, x, y, lamp);
      }
      // running stitch along the inset outline: dashes of thread with a groove either side
      const track = Math.abs(cut(u, v, inset));
      if (track < 2.2 * s) {
        const along = Math.abs(u) / hx > Math.abs(v) / hy ? v : u;
        const dash = (along / pitch + stitchPhase) % 1;
        const onThread = (dash + 1) % 1 < 0.62;
        if (onThread && track < 1.2 * s) {
          const t = 1 - smoothstep(0.6 * s, 1.2 * s, track);
          r = mix(r, thread[0], t);
          g = mix(g, thread[1], t);
          b = mix(b, thread[2], t);
        } else {
          shade *= 0.82;
        }
      }
      const i = p * 3;
      data[i] = r * shade;
      data[i + 1] = g * shade;
      data[i + 2] = b * shade;
    });
  }

  return {
    kind: 'leather-patch',
    shape,
    palette: {
      scratchLight: hsv(hue + 4, sat * 0.45, Math.min(1, val * 1.45)),
      scratchDark: hsv(hue - 4, sat, val * 0.4),
      stains: [hsv(hue - 6, sat * 0.7, val * 0.45), hsv(40, 0.1, 0.75), hsv(210, 0.3, 0.3)],
      crack: hsv(hue - 6, 0.5, 0.15),
      body: hsv(hue + 6, sat * 0.45, Math.min(1, val * 1.35)),
    },
    paint,
  };
}
