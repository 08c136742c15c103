// Seeded randomness for the demo image generator. Everything the generator draws comes from
// here, so one seed always gives the same image on every machine (no Math.random anywhere).

/** Mixes any list of numbers/strings into one 32-bit seed (FNV-1a, then a murmur3 finaliser). */
export function hashSeed(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = typeof part === 'number' ? `n${part}` : `s${part}`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x7c; // separator so ('ab','c') differs from ('a','bc')
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Checks a user-supplied seed: any finite number is fine (it is hashed, not used raw). */
export function checkSeed(seed: unknown, field = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`demo generator: ${field} must be a finite number, got ${String(seed)}`);
  }
  return seed;
}

/** sfc32 (Chris Doty-Humphrey's small fast counter generator): 128-bit state, good statistics. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;
  /** The seed this stream was made from; `fork` derives children from it, not from the state. */
  readonly seed: number;

  constructor(seed: number) {
    this.seed = hashSeed(seed);
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = this.seed;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('demo generator: cannot pick from an empty list');
    return items[this.int(0, items.length)];
  }

  /** Standard normal via Box-Muller (the second value of each pair is kept for the next call). */
  gaussian(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Standard normal from a 64k-entry inverse-CDF table: ~10× cheaper than Box-Muller, for
   *  bulk use such as per-pixel sensor noise (tails stop at about ±4.3 sd). */
  fastGaussian(): number {
    return NORMAL_TABLE[this.nextUint32() >>> 16];
  }

  /** Independent child stream named by `label`: the same label always gives the same stream,
   *  however much the parent has been used. This keeps e.g. the good rendering of a seed
   *  identical whether or not a defect is drawn on top. */
  fork(...label: Array<number | string>): Rng {
    return new Rng(hashSeed(this.seed, ...label));
  }
}

/** Inverse normal CDF (Acklam's rational approximation, |error| < 1.2e-9), used to fill the table. */
function inverseNormal(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

const NORMAL_TABLE = new Float32Array(65536);
for (let i = 0; i < NORMAL_TABLE.length; i++) NORMAL_TABLE[i] = inverseNormal((i + 0.5) / NORMAL_TABLE.length);
