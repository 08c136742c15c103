/** Shared types for the Keras → ONNX conversion: values flowing between layers, and the per-layer context. */
import type { GraphBuilder } from '../onnx/graph.ts';
import type { Node } from '../onnx/proto.ts';
import type { KerasLayer } from './read.ts';

/** Zero padding still to apply: [top, bottom, left, right]. Kept lazy so a following valid conv can absorb it. */
export type Pad = [number, number, number, number];

/** A conv whose weights are still editable, so a following BatchNormalization can be folded into it. */
export interface ConvRecord {
  node: Node;
  layer: string;
  /** OIHW weights and per-output-channel bias. */
  weight: Float32Array;
  weightDims: number[];
  bias: Float32Array;
}

export interface Value {
  /** ONNX tensor name holding this layer output (NCHW for images, [N, F] after Flatten). */
  name: string;
  /** Static shape at the nominal input size: [N, C, H, W] or [N, F]. */
  shape: number[];
  /** Zero padding that must be applied before any use other than a valid conv. */
  pad?: Pad;
  /** Set when the value is the raw output of a conv with a linear activation and a single consumer. */
  conv?: ConvRecord;
}

export interface LayerContext {
  g: GraphBuilder;
  layer: KerasLayer;
  /** The ONNX name the layer's final output must carry (its Keras name). */
  outName: string;
  /** The dequantized weight `<layer>/<suffix>`; throws naming the layer if missing and required. */
  weight(suffix: string): { shape: number[]; data: Float32Array };
  optionalWeight(suffix: string): { shape: number[]; data: Float32Array } | undefined;
  /** Turn a lazily padded value into a real tensor (emits a Pad node). */
  materialize(v: Value): Value;
  /** True when this layer's output may be handed to a following BatchNorm for folding. */
  foldable: boolean;
  /** Conv records to serialise at the end (weights may still change). */
  convs: ConvRecord[];
}

export function fail(layer: KerasLayer, what: string): never {
  throw new Error(`Keras layer ${layer.name} (${layer.class_name}): ${what}`);
}

/** Keras pair-valued config (`[a, b]` or `a`) → [a, b]. */
export function pair(v: unknown, layer: KerasLayer, field: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  return fail(layer, `unsupported ${field} ${JSON.stringify(v)}`);
}

/** Output size along one spatial axis, TF semantics. */
export function outSize(size: number, k: number, s: number, padding: string, d = 1): number {
  const eff = (k - 1) * d + 1;
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - eff) / s) + 1;
}
