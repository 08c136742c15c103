/**
 * Per-region tolerance. When items are placed consistently, each patch-grid location has its own
 * natural spread (wood grain, a glaze pool). Dividing each location's patch score by that spread
 * (after removing its mean) makes a location that always varies as calm as one that never does.
 * Region masks from product.json scale the tolerance further (or switch a region off).
 */
import { poolScores } from './pool.ts';

export interface RegionStats {
  gridW: number;
  gridH: number;
  n: number;
  mean: Float32Array;
  /** Spread per location, already floored (see stdFloor). */
  std: Float32Array;
}

export interface Region {
  name?: string;
  /** Rectangle in [0,1] model-input coordinates (after pad/crop). */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Multiplies the tolerance there: 2 = twice the deviation allowed. */
  tolerance?: number;
  /** Leave this region out of the score entirely. */
  ignore?: boolean;
}

/** Floor each location's spread at this share of the median spread, so near-constant places don't explode. */
export const STD_FLOOR_SHARE = 0.5;

function sums(maps: Float32Array[], size: number) {
  const s1 = new Float64Array(size);
  const s2 = new Float64Array(size);
  for (const m of maps) {
    if (m.length !== size)
      throw new Error(`anomaly map has ${m.length} cells, expected ${size}: maps must share one grid`);
    for (let i = 0; i < size; i++) {
      s1[i] += m[i];
      s2[i] += m[i] * m[i];
    }
  }
  return { s1, s2 };
}

function finish(s1: Float64Array, s2: Float64Array, n: number, gridW: number, gridH: number): RegionStats {
  const size = s1.length;
  const mean = new Float32Array(size);
  const raw = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const m = s1[i] / n;
    mean[i] = m;
    raw[i] = Math.sqrt(Math.max(0, (s2[i] - n * m * m) / Math.max(1, n - 1)));
  }
  const sorted = Float64Array.from(raw).sort();
  const floor = Math.max(1e-12, STD_FLOOR_SHARE * sorted[Math.floor(size / 2)]);
  const std = new Float32Array(size);
  for (let i = 0; i < size; i++) std[i] = Math.max(raw[i], floor);
  return { gridW, gridH, n, mean, std };
}

/** Per-location mean and spread of held-out good patch-score maps. */
export function regionStats(maps: Float32Array[], gridW: number, gridH: number): RegionStats {
  if (maps.length < 2) throw new Error(`per-region statistics need at least 2 good maps, got ${maps.length}`);
  const { s1, s2 } = sums(maps, gridW * gridH);
  return finish(s1, s2, maps.length, gridW, gridH);
}

/** Tolerance multiplier per grid cell from product regions (ignore → Infinity). */
export function regionTolerance(regions: Region[] | undefined, gridW: number, gridH: number): Float32Array | undefined {
  if (!regions || regions.length === 0) return undefined;
  const tol = new Float32Array(gridW * gridH).fill(1);
  for (const r of regions) {
    const f = r.ignore ? Infinity : (r.tolerance ?? 1);
    for (let gy = 0; gy < gridH; gy++) {
      const cy = (gy + 0.5) / gridH;
      if (cy < r.y || cy > r.y + r.h) continue;
      for (let gx = 0; gx < gridW; gx++) {
        const cx = (gx + 0.5) / gridW;
        if (cx >= r.x && cx <= r.x + r.w) tol[gy * gridW + gx] = f; // later regions win
      }
    }
  }
  return tol;
}

/** Normalise one patch-score map; stats and tolerance are both optional. */
export function normaliseMap(map: Float32Array, stats?: RegionStats, tolerance?: Float32Array): Float32Array {
  const out = new Float32Array(map.length);
  if (stats && stats.mean.length !== map.length)
    throw new Error(
      `patch map has ${map.length} cells but region statistics have ${stats.mean.length}: recalibrate the product`,
    );
  for (let i = 0; i < map.length; i++) {
    let v = stats ? (map[i] - stats.mean[i]) / stats.std[i] : map[i];
    if (tolerance) v = tolerance[i] === Infinity ? -Infinity : v / tolerance[i];
    out[i] = v;
  }
  return out;
}

/**
 * Held-out normalised scores: map i is normalised with statistics of the other maps only,
 * so a good item's own quirks never widen its own tolerance.
 */
export function leaveOneOutRegionScores(
  maps: Float32Array[],
  gridW: number,
  gridH: number,
  tolerance?: Float32Array,
  masks?: (Uint8Array | undefined)[],
  topShare = 0,
): number[] {
  const n = maps.length;
  if (n < 3) throw new Error(`leave-one-out region statistics need at least 3 good maps, got ${n}`);
  const size = gridW * gridH;
  const { s1, s2 } = sums(maps, size);
  const out: number[] = [];
  const a = new Float64Array(size);
  const b = new Float64Array(size);
  for (let k = 0; k < n; k++) {
    const m = maps[k];
    for (let i = 0; i < size; i++) {
      a[i] = s1[i] - m[i];
      b[i] = s2[i] - m[i] * m[i];
    }
    out.push(poolScores(normaliseMap(m, finish(a, b, n - 1, gridW, gridH), tolerance), topShare, masks?.[k]));
  }
  return out;
}
