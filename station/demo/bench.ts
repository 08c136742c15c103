// The bench the items sit on (a neutral felt mat), the room lighting and the camera sensor.
// The bench and the lighting belong to the station (one `benchSeed`), so every frame of one
// station shows the same bench; only exposure flicker and sensor noise change per shot. That is
// what lets the trigger difference a frame against an empty-bench background.

import { Noise2D } from './noise.ts';
import { Rng } from './random.ts';
import { type Canvas, type Rgb, createCanvas, hsv, toRgb8 } from './raster.ts';

export interface BenchLook {
  seed: number;
  /** Felt colour. */
  base: Rgb;
  /** Direction the light falls off towards (radians) and how strongly (fraction across the frame). */
  lightAngle: number;
  lightStrength: number;
  /** Darkening at the frame corners (fraction). */
  vignette: number;
  /** Where the key light sits, as a fraction of the frame (drives glossy highlights). */
  lightX: number;
  lightY: number;
}

export function benchLook(benchSeed: number): BenchLook {
  const rng = new Rng(benchSeed).fork('bench-look');
  return {
    seed: benchSeed,
    base: hsv(rng.uniform(25, 55), rng.uniform(0.05, 0.1), rng.uniform(0.5, 0.58)),
    lightAngle: rng.uniform(0, 2 * Math.PI),
    lightStrength: rng.uniform(0.06, 0.12),
    vignette: rng.uniform(0.08, 0.16),
    lightX: rng.uniform(0.3, 0.45),
    lightY: rng.uniform(0.25, 0.4),
  };
}

// The felt never changes for a station, so it is painted once per (seed, size) and copied.
const feltCache = new Map<string, Float32Array>();

/** Fills the canvas with the felt mat of `look` (no lighting, no noise yet). */
export function paintBench(canvas: Canvas, look: BenchLook): void {
  const { width, height } = canvas;
  const key = `${look.seed}:${width}x${height}`;
  let felt = feltCache.get(key);
  if (!felt) {
    felt = new Float32Array(width * height * 3);
    const noise = new Noise2D(new Rng(look.seed).fork('felt').nextUint32());
    const scale = 256 / Math.min(width, height);
    const [r, g, b] = look.base;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const sx = x * scale;
        const sy = y * scale;
        // broad mottling + short fibres (stretched noise in two directions) of a pressed felt
        const mottle = noise.fbm(sx / 45, sy / 45, 3) * 0.03;
        const fibre = noise.at(sx / 1.3, sy / 3.1) * 0.035 + noise.at(sy / 1.2 + 50, sx / 2.9) * 0.03;
        const tint = noise.at(sx / 90 + 9, sy / 90) * 0.012;
        const k = 1 + mottle + fibre;
        const i = (y * width + x) * 3;
        felt[i] = r * k + tint;
        felt[i + 1] = g * k;
        felt[i + 2] = b * k - tint;
      }
    }
    if (feltCache.size > 16) feltCache.clear();
    feltCache.set(key, felt);
  }
  canvas.data.set(felt);
}

/** Lighting gradient, vignette, per-shot exposure flicker and sensor noise, then 8-bit RGB. */
export function finishFrame(canvas: Canvas, look: BenchLook, shot: Rng): Uint8Array {
  const { width, height, data } = canvas;
  const exposure = 1 + shot.gaussian(0, 0.008);
  const cosA = Math.cos(look.lightAngle);
  const sinA = Math.sin(look.lightAngle);
  for (let y = 0; y < height; y++) {
    const ny = y / height - 0.5;
    for (let x = 0; x < width; x++) {
      const nx = x / width - 0.5;
      const gain =
        exposure *
        (1 - look.lightStrength * 2 * (nx * cosA + ny * sinA)) *
        (1 - look.vignette * 2 * (nx * nx + ny * ny));
      const i = (y * width + x) * 3;
      // sensor: read noise + shot noise (grows with brightness) + a little shared luma grain
      const luma = (shot.fastGaussian() * 0.6) / 255;
      for (let c = 0; c < 3; c++) {
        const v = data[i + c] * gain;
        const sigma = (0.9 + 1.6 * Math.sqrt(Math.max(v, 0))) / 255;
        data[i + c] = v + shot.fastGaussian() * sigma + luma;
      }
    }
  }
  return toRgb8(canvas);
}

/** The bare bench, for empty-bench frames of a replay camera. */
export function renderBenchCanvas(width: number, height: number, look: BenchLook): Canvas {
  const canvas = createCanvas(width, height);
  paintBench(canvas, look);
  return canvas;
}
