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

  /** Independent child stream named by `label`: the same label always gives the same stream,
   *  however much the parent has been used. This keeps e.g. the good rendering of a seed
   *  identical whether or not a defect is drawn on top. */
  fork(...label: Array<number | string>): Rng {
    return new Rng(hashSeed(this.seed, ...label));
  }
}
