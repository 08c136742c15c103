/**
 * The feature head: an ONNX graph built in code that turns backbone taps into patch features.
 * Per tap: neighbourhood average pooling (poolSize², padding excluded from the mean) and optional per-patch L2
 * normalisation; coarser taps are bilinearly upsampled to the finest tap's grid; all are concatenated along
 * channels and reduced to a fixed dimension by one matrix (random projection or channel-group averaging).
 * Output: 'patches' [gridH * gridW, dim], patch-major, ready for the kNN kernel.
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../models/onnx/graph.ts';
import { attrInt, attrInts, attrString } from '../../models/onnx/proto.ts';
import { cpuSessionOptions } from '../../models/onnx/sessionOptions.ts';
import { randomProjection } from './projection.ts';
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
  const g = new GraphBuilder();
  const parts: string[] = [];
  const pad = (s.poolSize - 1) / 2;
  for (const [i, t] of taps.entries()) {
    g.input(g.reserve(t.name), [1, t.channels, t.height, t.width]);
    let cur = t.name;
    if (s.poolSize > 1) {
      const out = g.unique(`pool${i}`);
      g.node(
        'AveragePool',
        [cur],
        [out],
        [
          attrInts('kernel_shape', [s.poolSize, s.poolSize]),
          attrInts('strides', [1, 1]),
          attrInts('pads', [pad, pad, pad, pad]),
          attrInt('count_include_pad', 0),
        ],
      );
      cur = out;
    }
    if (s.tapNorm === 'l2') {
      const out = g.unique(`norm${i}`);
      g.node('LpNormalization', [cur], [out], [attrInt('axis', 1), attrInt('p', 2)]);
      cur = out;
    }
    if (t.height !== fine.height || t.width !== fine.width) {
      const size = g.int64Init(`size${i}`, [1, t.channels, fine.height, fine.width]);
      const out = g.unique(`up${i}`);
      g.node(
        'Resize',
        [cur, '', '', size],
        [out],
        [attrString('mode', 'linear'), attrString('coordinate_transformation_mode', 'half_pixel')],
      );
      cur = out;
    }
    parts.push(cur);
  }
  const inDim = taps.reduce((a, t) => a + t.channels, 0);
  const cat = g.unique('cat'),
    nhwc = g.unique('nhwc'),
    flat = g.unique('flat'),
    patches = g.reserve('patches');
  g.node('Concat', parts, [cat], [attrInt('axis', 1)]);
  g.node('Transpose', [cat], [nhwc], [attrInts('perm', [0, 2, 3, 1])]);
  g.node('Reshape', [nhwc, g.int64Init('rows', [-1, inDim])], [flat]);
  g.node('MatMul', [flat, g.floatInit('projection', [inDim, s.dim], projection)], [patches]);
  g.output(patches, [fine.height * fine.width, s.dim]);
  return g.toBytes({ graphName: 'feature_head' });
}

export async function createHeadSession(
  taps: TapShape[],
  s: FeatureSettings,
  projection: Float32Array,
  threads?: number,
) {
  return ort.InferenceSession.create(buildHeadModel(taps, s, projection), cpuSessionOptions({ threads }));
}
