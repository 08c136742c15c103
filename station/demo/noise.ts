// Seeded 2-D gradient noise (Perlin-style) and fractal sums of it: the raw material for glaze
// pooling, wood figure, felt mottling and wobbly hand-cut edges.

const GRADS = 16;
const GX = new Float32Array(GRADS);
const GY = new Float32Array(GRADS);
for (let i = 0; i < GRADS; i++) {
  GX[i] = Math.cos((2 * Math.PI * i) / GRADS);
  GY[i] = Math.sin((2 * Math.PI * i) / GRADS);
}

export class Noise2D {
  private readonly salt: number;

  constructor(seed: number) {
    this.salt = seed | 0;
  }

  private grad(ix: number, iy: number, dx: number, dy: number): number {
    let h = (Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ this.salt) | 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h ^= h >>> 12;
    const g = (h >>> 4) & (GRADS - 1);
    return GX[g] * dx + GY[g] * dy;
  }

  /** Gradient noise, roughly in [-0.7, 0.7], smooth, with unit lattice spacing. */
  at(x: number, y: number): number {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    // quintic fade keeps second derivatives continuous (no lattice creases in shading)
    const u = fx * fx * fx * (fx * (fx * 6 - 15) + 10);
    const v = fy * fy * fy * (fy * (fy * 6 - 15) + 10);
    const n00 = this.grad(x0, y0, fx, fy);
    const n10 = this.grad(x0 + 1, y0, fx - 1, fy);
    const n01 = this.grad(x0, y0 + 1, fx, fy - 1);
    const n11 = this.grad(x0 + 1, y0 + 1, fx - 1, fy - 1);
    const a = n00 + u * (n10 - n00);
    const b = n01 + u * (n11 - n01);
    return a + v * (b - a);
  }

  /** Fractal sum of `octaves` layers, normalised to roughly [-1, 1]. */
  fbm(x: number, y: number, octaves: number, lacunarity = 2.03, gain = 0.5): number {
    let sum = 0;
    let amp = 1;
    let norm = 0;
    let f = 1;
    for (let o = 0; o < octaves; o++) {
      // per-octave offset avoids every octave sharing a lattice point at the origin
      sum += amp * this.at(x * f + o * 17.13, y * f - o * 9.71);
      norm += amp;
      amp *= gain;
      f *= lacunarity;
    }
    return (sum / norm) * 1.6;
  }

  /** Cellular (Worley) noise on a jittered unit grid: distance to the nearest feature point (f1)
   *  written to `out[0]`, and the gap to the second nearest (f2 − f1, ~0 on cell borders) to
   *  `out[1]`. Pebble-grained leather is raised cells with creases along those borders. */
  cells(x: number, y: number, out: Float64Array): void {
    const ix = Math.floor(x);
    const iy = Math.floor(y);
    let f1 = 9;
    let f2 = 9;
    for (let j = -1; j <= 1; j++) {
      for (let i = -1; i <= 1; i++) {
        const cx = ix + i;
        const cy = iy + j;
        let h = (Math.imul(cx, 0x2545f491) ^ Math.imul(cy, 0x9e3779b1) ^ this.salt) | 0;
        h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
        h ^= h >>> 15;
        const px = cx + (h & 0xffff) / 65536;
        const py = cy + (h >>> 16) / 65536;
        const d = Math.sqrt((px - x) * (px - x) + (py - y) * (py - y));
        if (d < f1) {
          f2 = f1;
          f1 = d;
        } else if (d < f2) {
          f2 = d;
        }
      }
    }
    out[0] = f1;
    out[1] = f2 - f1;
  }
}
