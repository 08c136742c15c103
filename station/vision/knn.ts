/**
 * Nearest-neighbour distances from test patches to the memory bank: the hot loop of scoring.
 * Three implementations share one contract (Euclidean distance of each query row to its nearest bank row):
 *  - nearestReference: plain double loop, the yardstick for tests;
 *  - nearestBlocked: cache-blocked typed-array kernel using ||q||² + ||b||² - 2 q·b, four queries per pass;
 *  - OrtNearest: an ONNX graph (MatMul + ArgMin) built in code and run by ONNX Runtime (multi-threaded
 *    MLAS GEMM); the chosen neighbour's distance is then recomputed exactly, so float32 cancellation in the
 *    expanded form never reaches the score. scripts/bench.ts compares them; the engine uses OrtNearest.
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../models/onnx/graph.ts';
import { attrInt, DataType } from '../../models/onnx/proto.ts';
import { cpuSessionOptions } from '../../models/onnx/sessionOptions.ts';

/** Squared L2 norm of every row of a row-major [rows, dim] matrix. */
export function rowNorms(m: Float32Array, rows: number, dim: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * dim;
    for (let k = 0; k < dim; k++) s += m[o + k] * m[o + k];
    out[r] = s;
  }
  return out;
}

function checkShapes(q: Float32Array, nq: number, bank: Float32Array, nb: number, dim: number): void {
  if (q.length < nq * dim) throw new Error(`knn: queries hold ${q.length} values, need ${nq}×${dim}`);
  if (bank.length < nb * dim) throw new Error(`knn: bank holds ${bank.length} values, need ${nb}×${dim}`);
  if (nb < 1) throw new Error('knn: the memory bank is empty; build the reference set from at least one good image');
}

/** Plain reference: direct squared differences, float64 accumulation. */
export function nearestReference(
  q: Float32Array,
  nq: number,
  bank: Float32Array,
  nb: number,
  dim: number,
): Float32Array {
  checkShapes(q, nq, bank, nb, dim);
  const out = new Float32Array(nq);
  for (let i = 0; i < nq; i++) {
    let best = Infinity;
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const d = q[i * dim + k] - bank[j * dim + k];
        s += d * d;
      }
      if (s < best) best = s;
    }
    out[i] = Math.sqrt(best);
  }
  return out;
}

const BANK_BLOCK = 256; // 256 rows × 128 dims × 4 B = 128 KiB: stays in L2 while every query block passes over it

/** Cache-blocked kernel: four queries share each bank row load; norms precomputed once per bank. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one cache block of the bank serves the unrolled four-query pass and its tail; split apart, the blocking that makes it fast would no longer be visible in one place
export function nearestBlocked(
  q: Float32Array,
  nq: number,
  bank: Float32Array,
  nb: number,
  dim: number,
  bankNormsIn?: Float64Array,
): Float32Array {
  checkShapes(q, nq, bank, nb, dim);
  const bn = bankNormsIn ?? rowNorms(bank, nb, dim);
  const qn = rowNorms(q, nq, dim);
  const best = new Float64Array(nq).fill(Infinity);
  for (let b0 = 0; b0 < nb; b0 += BANK_BLOCK) {
    const b1 = Math.min(nb, b0 + BANK_BLOCK);
    let i = 0;
    for (; i + 4 <= nq; i += 4) {
      const o0 = i * dim,
        o1 = o0 + dim,
        o2 = o1 + dim,
        o3 = o2 + dim;
      let m0 = best[i],
        m1 = best[i + 1],
        m2 = best[i + 2],
        m3 = best[i + 3];
      for (let j = b0; j < b1; j++) {
        const ob = j * dim;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let k = 0; k < dim; k++) {
          const v = bank[ob + k];
          s0 += q[o0 + k] * v;
          s1 += q[o1 + k] * v;
          s2 += q[o2 + k] * v;
          s3 += q[o3 + k] * v;
        }
        const n = bn[j];
        const d0 = n - 2 * s0,
          d1 = n - 2 * s1,
          d2 = n - 2 * s2,
          d3 = n - 2 * s3;
        if (d0 < m0) m0 = d0;
        if (d1 < m1) m1 = d1;
        if (d2 < m2) m2 = d2;
        if (d3 < m3) m3 = d3;
      }
      best[i] = m0;
      best[i + 1] = m1;
      best[i + 2] = m2;
      best[i + 3] = m3;
    }
    for (; i < nq; i++) {
      const o = i * dim;
      let m = best[i];
      for (let j = b0; j < b1; j++) {
        const ob = j * dim;
        let s = 0;
        for (let k = 0; k < dim; k++) s += q[o + k] * bank[ob + k];
        const d = bn[j] - 2 * s;
        if (d < m) m = d;
      }
      best[i] = m;
    }
  }
  const out = new Float32Array(nq);
  for (let i = 0; i < nq; i++) out[i] = Math.sqrt(Math.max(0, best[i] + qn[i]));
  return out;
}

/** Exact distance from each query to its chosen bank row (float64 accumulation). */
function exactDistances(
  q: Float32Array,
  nq: number,
  bank: Float32Array,
  dim: number,
  idx: BigInt64Array | Int32Array,
): Float32Array {
  const out = new Float32Array(nq);
  for (let i = 0; i < nq; i++) {
    const o = i * dim,
      ob = Number(idx[i]) * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const d = q[o + k] - bank[ob + k];
      s += d * d;
    }
    out[i] = Math.sqrt(s);
  }
  return out;
}

export interface OrtNearestOptions {
  /** ONNX Runtime intra-op threads; default lets ORT use every core. */
  threads?: number;
}

/**
 * The bank lives inside the graph as one constant matrix, so ORT pre-packs it for its GEMM once per reference
 * set. Rows are centred on the bank mean (keeps norms small, so float32 cancellation stays small) and augmented
 * with one extra dimension: query' = [q - mu, 1], bank' = [-2 (b - mu), ||b - mu||²], hence
 * query'·bank' = ||q - b||² - ||q - mu||², whose ArgMin over the bank is the nearest neighbour. One MatMul + one
 * ArgMin, no extra pass over the [P, M] product.
 */
export class OrtNearest {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly bank: Float32Array,
    private readonly mean: Float64Array,
    readonly bankSize: number,
    readonly dim: number,
  ) {}

  static async create(bank: Float32Array, nb: number, dim: number, opts: OrtNearestOptions = {}): Promise<OrtNearest> {
    checkShapes(new Float32Array(0), 0, bank, nb, dim);
    const mean = new Float64Array(dim);
    for (let j = 0; j < nb; j++) for (let k = 0; k < dim; k++) mean[k] += bank[j * dim + k];
    for (let k = 0; k < dim; k++) mean[k] /= nb;
    const K = dim + 1;
    const bt = new Float32Array(K * nb);
    for (let j = 0; j < nb; j++) {
      let n = 0;
      for (let k = 0; k < dim; k++) {
        const c = bank[j * dim + k] - mean[k];
        bt[k * nb + j] = -2 * c;
        n += c * c;
      }
      bt[dim * nb + j] = n;
    }
    const g = new GraphBuilder();
    g.input(g.reserve('queries'), ['P', K]);
    g.output(g.reserve('index'), ['P'], DataType.INT64);
    const partial = g.unique('partial');
    g.node('MatMul', ['queries', g.floatInit('bank_aug', [K, nb], bt)], [partial]);
    g.node('ArgMin', [partial], ['index'], [attrInt('axis', 1), attrInt('keepdims', 0)]);
    const model = g.toBytes({ graphName: 'nearest' });
    const session = await ort.InferenceSession.create(model, {
      ...cpuSessionOptions({ threads: opts.threads }),
      executionMode: 'sequential',
    });
    return new OrtNearest(session, bank.slice(0, nb * dim), mean, nb, dim);
  }

  /** Distance of each of the nq query rows to its nearest bank row, and that row's index. */
  async nearest(q: Float32Array, nq: number): Promise<{ distances: Float32Array; indices: Int32Array }> {
    checkShapes(q, nq, this.bank, this.bankSize, this.dim);
    const dim = this.dim,
      K = dim + 1;
    const aug = new Float32Array(nq * K);
    for (let i = 0; i < nq; i++) {
      for (let k = 0; k < dim; k++) aug[i * K + k] = q[i * dim + k] - this.mean[k];
      aug[i * K + dim] = 1;
    }
    const res = await this.session.run({ queries: new ort.Tensor('float32', aug, [nq, K]) });
    const idx64 = res.index.data as BigInt64Array;
    const indices = new Int32Array(nq);
    for (let i = 0; i < nq; i++) indices[i] = Number(idx64[i]);
    res.index.dispose?.();
    return { distances: exactDistances(q, nq, this.bank, dim, indices), indices };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
