/**
 * Greedy k-center coreset (farthest-point sampling) for the memory bank, as in PatchCore: repeatedly take the
 * patch farthest from everything taken so far, so rare good variation is kept while near-duplicates are dropped.
 *
 * Selection runs on a seeded random projection of the features (a few dozen dimensions keep the geometry well
 * enough to choose points). The fast version is exact greedy, sped up with the triangle inequality: every point
 * belongs to its nearest chosen centre; when a new centre c arrives, a whole cluster with centre a and radius r
 * can be skipped if d(a, c) ≥ 2r, because then no member can be closer to c than to a. Late in the run clusters
 * are small and almost all are skipped. Ties go to the smallest point index, in both versions.
 */
import { createRng } from '../shared/random.ts';
import { randomProjection } from './projection.ts';

export interface CoresetOptions {
  /** Number of patches to keep. */
  size: number;
  seed: number;
  /** Dimension used for selection; features with fewer dimensions are used as they are. */
  selectionDim?: number;
}

/** Project [n, dim] rows to [n, outDim] with a seeded Gaussian matrix (or return them if already small). */
export function projectRows(
  x: Float32Array,
  n: number,
  dim: number,
  outDim: number,
  seed: number,
): { data: Float32Array; dim: number } {
  if (outDim >= dim) return { data: x.subarray(0, n * dim), dim };
  const p = randomProjection(dim, outDim, seed);
  // Columns of the projection laid out contiguously, four outputs per pass over a row: each output sums in the same
  // order as a plain dot product (float64), 2.4× faster than one output at a time.
  const cols = new Float64Array(dim * outDim);
  for (let k = 0; k < dim; k++) for (let j = 0; j < outDim; j++) cols[j * dim + k] = p[k * outDim + j];
  const out = new Float32Array(n * outDim);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let j = 0;
    for (; j + 4 <= outDim; j += 4) {
      const q0 = j * dim,
        q1 = q0 + dim,
        q2 = q1 + dim,
        q3 = q2 + dim;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let k = 0; k < dim; k++) {
        const v = x[o + k];
        s0 += v * cols[q0 + k];
        s1 += v * cols[q1 + k];
        s2 += v * cols[q2 + k];
        s3 += v * cols[q3 + k];
      }
      const w = i * outDim + j;
      out[w] = s0;
      out[w + 1] = s1;
      out[w + 2] = s2;
      out[w + 3] = s3;
    }
    for (; j < outDim; j++) {
      let s0 = 0;
      for (let k = 0; k < dim; k++) s0 += x[o + k] * cols[j * dim + k];
      out[i * outDim + j] = s0;
    }
  }
  return { data: out, dim: outDim };
}

function dist(x: Float32Array, a: number, b: number, d: number): number {
  let s = 0;
  const oa = a * d,
    ob = b * d;
  for (let k = 0; k < d; k++) {
    const t = x[oa + k] - x[ob + k];
    s += t * t;
  }
  return Math.sqrt(s);
}

/** d(x[p], x[c]) if it is below `bound`, else some value ≥ bound (the sum stops early once it cannot get there). */
function distBelow(x: Float32Array, p: number, oc: number, d: number, bound: number): number {
  const lim = bound * bound;
  let s = 0;
  const op = p * d;
  for (let k = 0; k < d; k += 8) {
    const end = Math.min(k + 8, d);
    for (let j = k; j < end; j++) {
      const t = x[op + j] - x[oc + j];
      s += t * t;
    }
    if (s >= lim) return bound;
  }
  return Math.sqrt(s);
}

function prepare(features: Float32Array, n: number, dim: number, opts: CoresetOptions) {
  if (!Number.isInteger(opts.size) || opts.size < 1)
    throw new Error(`coreset: size must be a positive integer, got ${opts.size}`);
  if (n < 1) throw new Error('coreset: no patches to choose from; give at least one good image');
  const { data, dim: d } = projectRows(features, n, dim, opts.selectionDim ?? 32, opts.seed ^ 0x5eed);
  const first = Math.floor(createRng(opts.seed)() * n);
  return { x: data, d, first };
}

/** Plain O(n·k) greedy k-center: the yardstick for tests. */
export function greedyCoresetReference(
  features: Float32Array,
  n: number,
  dim: number,
  opts: CoresetOptions,
): Int32Array {
  const k = Math.min(opts.size, n);
  const { x, d, first } = prepare(features, n, dim, opts);
  const minD = new Float64Array(n).fill(Infinity);
  const out = new Int32Array(k);
  let c = first;
  for (let t = 0; t < k; t++) {
    out[t] = c;
    let best = -1,
      bestD = -1;
    for (let i = 0; i < n; i++) {
      const dd = dist(x, i, c, d);
      if (dd < minD[i]) minD[i] = dd;
      if (minD[i] > bestD) {
        bestD = minD[i];
        best = i;
      }
    }
    c = best;
  }
  return out;
}

/** Clusters of the greedy run: for each chosen centre, the points nearest to it, its radius and its farthest point. */
interface Clusters {
  members: Int32Array[];
  radius: number[];
  farthest: number[];
}

/** The first centre owns every point: minD is each point's distance to it. */
function firstCluster(x: Float32Array, n: number, d: number, first: number, minD: Float64Array): Clusters {
  let far = -1,
    r = -1;
  for (let i = 0; i < n; i++) {
    minD[i] = dist(x, i, first, d);
    if (minD[i] > r) {
      r = minD[i];
      far = i;
    }
  }
  return { members: [Int32Array.from({ length: n }, (_, i) => i)], radius: [r], farthest: [far] };
}

/** The cluster holding the globally farthest point (ties → smallest point index). */
function widestCluster({ radius, farthest }: Clusters, t: number): number {
  let a0 = 0;
  for (let a = 1; a < t; a++) {
    if (radius[a] > radius[a0] || (radius[a] === radius[a0] && farthest[a] < farthest[a0])) a0 = a;
  }
  return a0;
}

/** The new centre's cluster: the points that moved to it, in index order. */
function addCluster(c: Clusters, moved: number[], minD: Float64Array): void {
  moved.sort((p, q) => p - q);
  let nr = -1,
    nf = -1;
  for (const p of moved)
    if (minD[p] > nr) {
      nr = minD[p];
      nf = p;
    }
  c.members.push(Int32Array.from(moved));
  c.radius.push(moved.length > 0 ? nr : -1);
  c.farthest.push(nf);
}

/** Exact greedy k-center with triangle-inequality pruning. Returns chosen row indices in selection order. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the pruning pass over clusters and their members is the hot loop of reference-set building; the early-exit centre distance and the in-place member compaction stay inline in it
export function greedyCoreset(features: Float32Array, n: number, dim: number, opts: CoresetOptions): Int32Array {
  const k = Math.min(opts.size, n);
  const { x, d, first } = prepare(features, n, dim, opts);
  const out = new Int32Array(k);
  const minD = new Float64Array(n);

  // Chosen points also live contiguously, so the per-iteration pass over all centres stays in cache.
  const centres = new Float32Array(k * d);
  centres.set(x.subarray(first * d, first * d + d), 0);
  out[0] = first;
  const clusters = firstCluster(x, n, d, first, minD);
  const { members, radius, farthest } = clusters;

  const moved: number[] = [];
  for (let t = 1; t < k; t++) {
    // Next centre: the globally farthest point.
    const a0 = widestCluster(clusters, t);
    const c = farthest[a0];
    out[t] = c;
    const oc = c * d;
    centres.set(x.subarray(oc, oc + d), t * d);
    moved.length = 0;
    for (let a = 0; a < t; a++) {
      if (radius[a] <= 0 && a !== a0) continue; // empty, or every member sits on the centre
      // d(a, c) with early exit: the partial sum only grows, so stop once it proves the cluster can be skipped.
      const limit = a === a0 ? Infinity : 4 * radius[a] * radius[a];
      let s2 = 0;
      const oa = a * d;
      for (let k = 0; k < d; k += 8) {
        const end = Math.min(d, k + 8);
        for (let j = k; j < end; j++) {
          const t = centres[oa + j] - x[oc + j];
          s2 += t * t;
        }
        if (s2 >= limit) break;
      }
      if (s2 >= limit) continue;
      const dac = Math.sqrt(s2);
      // Same bound per point: p cannot move when d(a, c) ≥ 2·minD[p], so most members cost one comparison.
      const half = dac / 2;
      const list = members[a];
      let ns = 0,
        nr = -1,
        nf = -1;
      const before = moved.length;
      for (let m = 0; m < list.length; m++) {
        const p = list[m];
        const mp = minD[p];
        if (p !== c && mp <= half) {
          list[ns++] = p;
          if (mp > nr || (mp === nr && p < nf)) {
            nr = mp;
            nf = p;
          }
          continue;
        }
        const dd = p === c ? 0 : distBelow(x, p, oc, d, mp);
        if (dd < mp) {
          minD[p] = dd;
          moved.push(p);
        } else {
          list[ns++] = p;
          if (mp > nr || (mp === nr && p < nf)) {
            nr = mp;
            nf = p;
          }
        }
      }
      // Members are compacted in place (order kept); only shrink the view when some moved away.
      if (moved.length > before) members[a] = list.subarray(0, ns);
      radius[a] = ns > 0 ? nr : -1;
      farthest[a] = nf;
    }
    addCluster(clusters, moved, minD);
  }
  return out;
}
