/** Shared helpers for converter parity tests: run the original model in tfjs (pure-JS CPU) and ORT, compare. */
import * as tf from '@tensorflow/tfjs';
import type * as ort from 'onnxruntime-node';
import type { TfjsLayersModel } from '../../models/tfjs/read.ts';
import { createRng } from '../../station/shared/random.ts';

let backendReady: Promise<boolean> | undefined;

/** tfjs with the pure-JS CPU backend, loaded from the same topology + weight bytes the converter read. */
export async function tfjsModel(src: TfjsLayersModel): Promise<tf.LayersModel> {
  backendReady ??= tf.setBackend('cpu');
  await backendReady;
  const weightData = src.weightBytes.slice().buffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: src.topology,
      weightSpecs: src.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData,
    }),
  );
}

/**
 * The original model cut after `outputs`, rebuilt by tfjs for another input size (the layers up to the taps
 * are size-agnostic). Checks the dynamic-size ONNX extractors against tfjs at sizes the source never saw.
 */
export async function tfjsTruncated(
  src: TfjsLayersModel,
  outputs: string[],
  h: number,
  w: number,
): Promise<tf.LayersModel> {
  backendReady ??= tf.setBackend('cpu');
  await backendReady;
  const topology = structuredClone(src.topology);
  const cfg = (topology.model_config ?? topology).config;
  const byName = new Map<string, any>(cfg.layers.map((l: any) => [l.name, l]));
  const needed = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const n = stack.pop()!;
    if (needed.has(n)) continue;
    needed.add(n);
    for (const inbound of byName.get(n).inbound_nodes[0] ?? []) stack.push(inbound[0]);
  }
  cfg.layers = cfg.layers.filter((l: any) => needed.has(l.name));
  for (const l of cfg.layers) if (l.class_name === 'InputLayer') l.config.batch_input_shape = [null, h, w, 3];
  cfg.output_layers = outputs.map((o) => [o, 0, 0]);
  const weightData = src.weightBytes.slice().buffer;
  const io = tf.io.fromMemory({
    modelTopology: topology,
    weightSpecs: src.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData,
  });
  return tf.loadLayersModel(io, { strict: false }); // weights of the cut-off head stay unused
}

/** The station's seeded generator, so failures reproduce. */
export const rng = createRng;

/** Images in [0,1], NHWC: uniform noise, a smooth colour gradient with noise, and blocks of flat colour. */
export function testImages(n: number, h: number, w: number, seed = 7): Float32Array[] {
  const r = rng(seed);
  const out: Float32Array[] = [];
  for (let k = 0; k < n; k++) {
    const img = new Float32Array(h * w * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          const i = (y * w + x) * 3 + c;
          if (k % 3 === 0) img[i] = r();
          else if (k % 3 === 1)
            img[i] = Math.min(1, Math.max(0, (x / w) * (c + 1) * 0.4 + (y / h) * 0.3 + (r() - 0.5) * 0.1));
          else img[i] = ((Math.floor(x / 16) * 7 + Math.floor(y / 16) * 13 + c * 5) % 11) / 10;
        }
    out.push(img);
  }
  return out;
}

export function nhwcToNchw(img: Float32Array, h: number, w: number, c = 3): Float32Array {
  const out = new Float32Array(img.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(k * h + y) * w + x] = img[(y * w + x) * c + k];
  return out;
}

/** Run a tfjs sub-model exposing `layers` on a batch; returns NHWC/flat arrays and shapes per layer. */
export function tfjsRun(model: tf.LayersModel, layers: string[], batch: Float32Array[], h: number, w: number) {
  const sub = tf.model({
    inputs: model.inputs,
    outputs: layers.map((l) => model.getLayer(l).output as tf.SymbolicTensor),
  });
  const data = new Float32Array(batch.length * h * w * 3);
  batch.forEach((img, i) => {
    data.set(img, i * img.length);
  });
  return tf.tidy(() => {
    let outs = sub.predict(tf.tensor4d(data, [batch.length, h, w, 3]));
    if (!Array.isArray(outs)) outs = [outs];
    return outs.map((t) => ({ shape: t.shape as number[], data: t.dataSync() as Float32Array }));
  });
}

/** Max |a - b| between a tfjs output (NHWC or [N,F]) and an ORT output (NCHW or [N,F]) for batch item i. */
export function maxAbsDiff(tfOut: { shape: number[]; data: Float32Array }, ortOut: ort.Tensor, item: number): number {
  const o = ortOut.data as Float32Array;
  const t = tfOut.data;
  let max = 0;
  if (tfOut.shape.length === 4) {
    const [, h, w, c] = tfOut.shape;
    if (ortOut.dims.join() !== [1, c, h, w].join())
      throw new Error(`shape mismatch: ORT ${ortOut.dims} vs tfjs NHWC ${tfOut.shape}`);
    const base = item * h * w * c;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++)
          max = Math.max(max, Math.abs(t[base + (y * w + x) * c + k] - o[(k * h + y) * w + x]));
  } else {
    const f = tfOut.shape[1];
    if (ortOut.dims.join() !== [1, f].join())
      throw new Error(`shape mismatch: ORT ${ortOut.dims} vs tfjs ${tfOut.shape}`);
    for (let j = 0; j < f; j++) max = Math.max(max, Math.abs(t[item * f + j] - o[j]));
  }
  return max;
}

/** Largest |value| in an output, to show the comparison is not between near-zero tensors. */
export function maxAbs(t: { data: Float32Array }): number {
  let m = 0;
  for (const v of t.data) m = Math.max(m, Math.abs(v));
  return m;
}
