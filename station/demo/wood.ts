// A turned-wood disc (a coaster or trivet cut across the grain): growth rings around an
// off-centre pith with uneven spacing, medullary-ray flecks, pores, faint lathe marks and a
// darker chamfered rim. Each disc comes from a different piece of the log, so ring centre,
// spacing, phase and hue all vary, and it lies on the bench at any rotation.

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
import { type Canvas, hsv, mix, mixRgb, smoothstep, len } from './raster.ts';

/** Where the disc lies and its outline: a touch oval, at any rotation, its rim slightly uneven. */
function placeDisc(rng: Rng, width: number, height: number, s: number): { shape: ItemShape; radius: number } {
  const place = rng.fork('place');
  const { cx, cy } = placeOnBench(place, width, height);
  const radius = 88 * s * (1 + place.gaussian(0, 0.02));
  const ecc = place.uniform(0.004, 0.022); // hand-turned discs are a touch oval
  const angle = place.uniform(0, 2 * Math.PI);
  const edgeNoise = new Noise2D(place.nextUint32());
  const cosA = Math.cos(angle);
  const sinA = Math.sin(angle);

  const shape: ItemShape = {
    cx,
    cy,
    angle,
    size: radius,
    sdf(x, y) {
      const dx = x - cx;
      const dy = y - cy;
      const u = (dx * cosA + dy * sinA) / (1 + ecc);
      const v = (-dx * sinA + dy * cosA) / (1 - ecc);
      const q = len(u, v) || 1e-6;
      const rim = radius * (1 + 0.006 * edgeNoise.at((2 * u) / q, (2 * v) / q));
      return q - rim;
    },
    breakAngles: null,
  };
  return { shape, radius };
}

export function createWoodDisc(rng: Rng, width: number, height: number, bench: BenchLook): ItemModel {
  const s = Math.min(width, height) / 256;
  const { shape, radius } = placeDisc(rng, width, height, s);
  const { cx, cy } = shape;

  const look = rng.fork('grain');
  const hue = 29 + look.gaussian(0, 2.5);
  const sat = 0.55 + look.gaussian(0, 0.035);
  const val = 0.7 + look.gaussian(0, 0.035);
  const early = hsv(hue + 2, sat * 0.82, val);
  const late = hsv(hue - 6, Math.min(1, sat * 1.12), val * 0.6);
  const endGrain = hsv(hue - 4, sat * 0.9, val * 0.55);
  const noise = new Noise2D(look.nextUint32());
  const pithAngle = look.uniform(0, 2 * Math.PI);
  const pithDist = look.uniform(0.05, 0.45) * radius;
  const pithU = Math.cos(pithAngle) * pithDist;
  const pithV = Math.sin(pithAngle) * pithDist;
  const spacing = look.uniform(0.05, 0.07) * radius;
  const oval = look.uniform(0.88, 1.12); // the log was never perfectly round either
  const heartTone = look.uniform(0.15, 0.35);
  const heart = hsv(hue - 8, Math.min(1, sat * 1.15), val * 0.72);
  const phase0 = look.next();
  const ox = look.uniform(0, 100);
  const oy = look.uniform(0, 100);
  const chamfer = 4 * s * look.uniform(0.85, 1.2);
  const lamp = lampDirection(bench, width, height, cx, cy);
  const sheenAt = lampSpot(bench.lightX * width, bench.lightY * height, 0.55 * radius, 0.05);

  function paint(surface: Canvas, cover: Float32Array): void {
    const { data } = surface;
    forEachCovered(cover, width, height, shape, (p, x, y, u, v) => {
      const ru = u - pithU;
      const rv = v - pithV;
      const rho = len(ru, rv * oval);
      // rings: distance from the pith, warped by slow noise, with uneven yearly growth
      const warp =
        noise.fbm((u / radius) * 1.4 + ox, (v / radius) * 1.4 + oy, 3) * spacing * 0.85 +
        noise.at((u / radius) * 5 + oy, (v / radius) * 5) * spacing * 0.25;
      const growth = noise.at((rho / radius) * 3.2 + ox, 4.5) * 1.0;
      const ph = (rho + warp) / spacing + growth + phase0;
      const year = Math.floor(ph);
      const f = ph - year;
      // a narrow dark latewood band closes each year; some years are darker than others
      const lateWood = smoothstep(0.5, 0.86, f) * (1 - smoothstep(0.93, 1, f));
      const ringTone = lateWood * (0.55 + 0.4 * noise.at(year * 0.71 + 0.5, 1.7 + oy));
      // heartwood near the pith is darker and redder than the sapwood outside
      const heartMix = heartTone * (1 - smoothstep(0.35 * radius, 0.95 * radius, rho));
      let r = mix(mix(early[0], heart[0], heartMix), late[0], ringTone);
      let g = mix(mix(early[1], heart[1], heartMix), late[1], ringTone);
      let b = mix(mix(early[2], heart[2], heartMix), late[2], ringTone);
      // figure: radial ray flecks (stretched along the radius) and open pores
      const theta = Math.atan2(rv, ru);
      const ray = smoothstep(0.32, 0.55, noise.at(theta * 38 + 500, rho / (9 * s)));
      const pore = smoothstep(0.15, 0.5, noise.at(x / (1.15 * s) + 900, y / (1.15 * s)));
      const fibre = noise.at(u / (0.9 * s) + 300, v / (0.9 * s)) * 0.035;
      const lathe = 0.012 * Math.sin((len(u, v) / (1.7 * s)) * 2 * Math.PI);
      let shade = (1 + 0.07 * ray) * (1 - 0.08 * pore) * (1 + lathe + fibre);
      if (rho < 2.2 * s) shade *= 0.75; // the pith
      // chamfered rim: end grain soaks up the finish and darkens; the bevel faces the light or not
      const inside = -shape.sdf(x, y);
      if (inside < chamfer * 1.6) {
        const rim = 1 - smoothstep(0, chamfer, inside);
        [r, g, b] = mixRgb([r, g, b], endGrain, rim * 0.6);
        shade *= 1 + 0.25 * rim * rimFacing(shape, x, y, lamp);
      }
      const sheen = sheenAt(x, y);
      const i = p * 3;
      data[i] = r * shade + sheen;
      data[i + 1] = g * shade + sheen;
      data[i + 2] = b * shade + sheen;
    });
  }

  return {
    kind: 'wood-disc',
    shape,
    palette: {
      scratchLight: hsv(hue + 6, sat * 0.4, Math.min(1, val * 1.3)),
      scratchDark: hsv(hue - 4, sat * 0.8, val * 0.35),
      stains: [
        hsv(hue - 8, sat * 0.55, val * 0.42),
        hsv(215, 0.25, 0.3),
        hsv(hue + 10, sat * 0.25, Math.min(1, val * 1.2)),
      ],
      crack: hsv(hue - 6, 0.6, 0.16),
      body: hsv(hue + 4, sat * 0.6, Math.min(1, val * 1.15)),
    },
    paint,
  };
}
