/**
 * The feature head: an ONNX graph built in code that turns backbone taps into patch features.
 * Per tap: neighbourhood average pooling (poolSize², padding excluded from the mean) and optional per-patch L2
 * normalisation; coarser taps are bilinearly upsampled to the finest tap's grid; all are concatenated along
 * channels and reduced to a fixed dimension by one matrix (random projection or channel-group averaging).
 * Output: 'patches' [gridH * gridW, dim], patch-major, ready for the kNN kernel.
 */
import * as ort from 'onnxruntime-node';
import { buildModel, type Initializer, type NodeSpec } from './onnxGraph.ts';
import { randomProjection } from './rng.ts';
import type { FeatureSettings } from './settings.ts';

export interface TapShape {
  name: string;
  channels: number;
  height: number;
  width: number;
}

/** The [inDim, dim] reduction matrix (row-major) for the given settings. */
export function reductionMatrix(inDim: number, s: FeatureSettings): Float32Array {
  if (s.reduction === 'random') return randomProjection(inDim, s.dim, s.projectionSeed);
  // Channel-group averaging (adaptive average pooling over the channel axis, like PatchCore's reducer).
  const m = new Float32Array(inDim * s.dim);
  for (let j = 0; j < s.dim; j++) {
    const lo = Math.floor((j * inDim) / s.dim);
    const hi = Math.max(lo + 1, Math.ceil(((j + 1) * inDim) / s.dim));
    for (let k = lo; k < hi; k++) m[k * s.dim + j] = 1 / (hi - lo);
  }
  return m;
}

export function buildHeadModel(taps: TapShape[], s: FeatureSettings, projection: Float32Array): Uint8Array {
  const fine = taps.reduce((a, t) => (t.height * t.width > a.height * a.width ? t : a));
  const nodes: NodeSpec[] = [];
  const inits: Initializer[] = [];
  const parts: string[] = [];
  const pad = (s.poolSize - 1) / 2;
  for (const [i, t] of taps.entries()) {
    let cur = t.name;
    if (s.poolSize > 1) {
      nodes.push({
        op: 'AveragePool', inputs: [cur], outputs: [`pool${i}`],
        attrs: { kernel_shape: [s.poolSize, s.poolSize], strides: [1, 1], pads: [pad, pad, pad, pad], count_include_pad: 0 },
      });
      cur = `pool${i}`;
    }
    if (s.tapNorm === 'l2') {
      nodes.push({ op: 'LpNormalization', inputs: [cur], outputs: [`norm${i}`], attrs: { axis: 1, p: 2 } });
      cur = `norm${i}`;
    }
    if (t.height !== fine.height || t.width !== fine.width) {
      inits.push({ name: `size${i}`, dims: [4], data: BigInt64Array.from([1n, BigInt(t.channels), BigInt(fine.height), BigInt(fine.width)]) });
      nodes.push({
        op: 'Resize', inputs: [cur, '', '', `size${i}`], outputs: [`up${i}`],
        attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel' },
      });
      cur = `up${i}`;
    }
    parts.push(cur);
  }
  const inDim = taps.reduce((a, t) => a + t.channels, 0);
  nodes.push({ op: 'Concat', inputs: parts, outputs: ['cat'], attrs: { axis: 1 } });
  nodes.push({ op: 'Transpose', inputs: ['cat'], outputs: ['nhwc'], attrs: { perm: [0, 2, 3, 1] } });
  inits.push({ name: 'rows', dims: [2], data: BigInt64Array.from([-1n, BigInt(inDim)]) });
  nodes.push({ op: 'Reshape', inputs: ['nhwc', 'rows'], outputs: ['flat'] });
  inits.push({ name: 'projection', dims: [inDim, s.dim], data: projection });
  nodes.push({ op: 'MatMul', inputs: ['flat', 'projection'], outputs: ['patches'] });
  return buildModel({
    name: 'feature_head',
    inputs: taps.map((t) => ({ name: t.name, dims: [1, t.channels, t.height, t.width] })),
    outputs: [{ name: 'patches', dims: [fine.height * fine.width, s.dim] }],
    initializers: inits,
    nodes,
  });
}

export async function createHeadSession(taps: TapShape[], s: FeatureSettings, projection: Float32Array, threads?: number) {
  return ort.InferenceSession.create(buildHeadModel(taps, s, projection), {
    graphOptimizationLevel: 'all',
    ...(threads ? { intraOpNumThreads: threads } : {}),
  });
}
