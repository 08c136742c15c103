/**
 * Converts a Keras functional model read from tfjs (see read.ts) into an ONNX graph: NCHW float32 input,
 * outputs named after the requested Keras layers, the graph truncated to what those outputs need.
 */
import { GraphBuilder, type Dim } from '../onnx/graph.ts';
import { batchNorm, conv, dense } from './layers-conv.ts';
import { activation, concatenate, flatten, globalPool, merge, pool, reluLayer, zeroPad } from './layers-simple.ts';
import type { KerasLayer, TfjsLayersModel } from './read.ts';
import { fail, type ConvRecord, type LayerContext, type Value } from './values.ts';

export interface ConvertOptions {
  /** Keras layer names to expose as outputs; default: the model's own outputs. */
  outputs?: string[];
  /** [H, W] for the nominal input; default: the InputLayer's batch_input_shape. */
  inputSize?: [number, number];
  /** Symbolic H/W in the ONNX input (not possible once a Flatten/Dense is in the graph). */
  dynamicSize?: boolean;
  inputName?: string;
  docString?: string;
}

export interface ConvertResult {
  bytes: Uint8Array;
  inputName: string;
  inputShape: number[];
  /** Output names with their static shapes at the nominal input size. */
  outputs: { name: string; shape: number[] }[];
  /** Keras layer classes met while converting. */
  layerClasses: string[];
}

type Handler = (ctx: LayerContext, inputs: Value[]) => Value;

const HANDLERS: Record<string, Handler> = {
  Conv2D: (c, x) => conv(c, x, false),
  DepthwiseConv2D: (c, x) => conv(c, x, true),
  BatchNormalization: batchNorm,
  Dense: dense,
  ReLU: reluLayer,
  Activation: (c, [x]) => activation(c, x, c.layer.config.activation),
  Add: (c, xs) => merge(c, xs, 'Add'),
  Multiply: (c, xs) => merge(c, xs, 'Mul'),
  Maximum: (c, xs) => merge(c, xs, 'Max'),
  Average: (c, xs) => merge(c, xs, 'Mean'),
  Concatenate: concatenate,
  MaxPooling2D: (c, x) => pool(c, x, 'MaxPool'),
  AveragePooling2D: (c, x) => pool(c, x, 'AveragePool'),
  GlobalAveragePooling2D: (c, x) => globalPool(c, x, 'GlobalAveragePool'),
  GlobalMaxPooling2D: (c, x) => globalPool(c, x, 'GlobalMaxPool'),
  ZeroPadding2D: zeroPad,
  Flatten: flatten,
  // Inference: dropout is the identity.
  Dropout: (_c, [x]) => x,
};

export const SUPPORTED_LAYERS = ['InputLayer', ...Object.keys(HANDLERS)];

function inboundNames(layer: KerasLayer): string[] {
  if (layer.inbound_nodes.length > 1) fail(layer, 'shared layers (called more than once) are not supported');
  return (layer.inbound_nodes[0] ?? []).map((n) => n[0]);
}

/** Layers the wanted outputs depend on, and how many of them read each layer (BatchNorm folds only into a sole reader). */
function neededLayers(
  byName: Map<string, KerasLayer>,
  wanted: string[],
): { needed: Set<string>; consumers: Map<string, number> } {
  const needed = new Set<string>();
  const stack = [...wanted];
  while (stack.length) {
    const n = stack.pop()!;
    if (needed.has(n)) continue;
    needed.add(n);
    stack.push(...inboundNames(byName.get(n)!));
  }
  const consumers = new Map<string, number>();
  for (const n of needed) for (const i of inboundNames(byName.get(n)!)) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  return { needed, consumers };
}

/** Turns a lazily padded value into a real tensor with a Pad node (unpadded values pass through). */
function padMaterializer(g: GraphBuilder): (v: Value) => Value {
  return (v) => {
    if (!v.pad) return v;
    const [t, b, l, r] = v.pad;
    const name = g.unique(`${v.name}/pad`);
    g.node('Pad', [v.name, g.int64Init(`${name}/pads`, [0, 0, t, l, 0, 0, b, r])], [name]);
    const [n, c, h, w] = v.shape;
    return { name, shape: [n, c, h + t + b, w + l + r] };
  };
}

/** The InputLayer becomes the NCHW graph input; returns its shape at the nominal size. */
function addInput(g: GraphBuilder, layer: KerasLayer, inputName: string, opts: ConvertOptions): number[] {
  const [, h0, w0, ch] = layer.config.batch_input_shape as (number | null)[];
  const [h, w] = opts.inputSize ?? [h0, w0];
  if (!h || !w || !ch) fail(layer, 'input size unknown; pass inputSize');
  const dims: Dim[] = opts.dynamicSize ? ['batch', ch, 'height', 'width'] : ['batch', ch, h, w];
  g.input(inputName, dims);
  return [1, ch, h, w];
}

/** Everything one layer's handler may use while it adds its nodes. */
interface Conversion {
  src: TfjsLayersModel;
  g: GraphBuilder;
  values: Map<string, Value>;
  wanted: string[];
  consumers: Map<string, number>;
  convs: ConvRecord[];
  materialize: (v: Value) => Value;
}

function convertLayer(c: Conversion, layer: KerasLayer): Value {
  const { src, g } = c;
  const handler = HANDLERS[layer.class_name];
  if (!handler) fail(layer, `layer type not supported (supported: ${SUPPORTED_LAYERS.join(', ')})`);
  const inputs = inboundNames(layer).map(
    (n) => c.values.get(n) ?? fail(layer, `input ${n} is not converted yet (unsorted topology)`),
  );
  const isOutput = c.wanted.includes(layer.name);
  const ctx: LayerContext = {
    g,
    layer,
    outName: g.reserve(layer.name),
    foldable: !isOutput && c.consumers.get(layer.name) === 1,
    convs: c.convs,
    materialize: c.materialize,
    optionalWeight: (s) => src.weights.get(`${layer.name}/${s}`),
    weight: (s) =>
      src.weights.get(`${layer.name}/${s}`) ??
      fail(layer, `weight ${layer.name}/${s} is missing from the weights manifest`),
  };
  return handler(ctx, inputs);
}

/** Each wanted layer becomes a graph output under its Keras name (an Identity where the value carries another). */
function addOutputs(c: Conversion, dynamicSize: boolean | undefined): { name: string; shape: number[] }[] {
  const { g } = c;
  return c.wanted.map((name) => {
    let v = c.materialize(c.values.get(name)!);
    if (v.name !== name) {
      g.node('Identity', [v.name], [name], [], `${name}/identity`);
      v = { name, shape: v.shape };
    }
    const dims: Dim[] =
      v.shape.length === 4 && dynamicSize ? ['batch', v.shape[1], null, null] : ['batch', ...v.shape.slice(1)];
    g.output(name, dims);
    return { name, shape: v.shape };
  });
}

export function convertKerasToOnnx(src: TfjsLayersModel, opts: ConvertOptions = {}): ConvertResult {
  const { model } = src;
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const wanted = opts.outputs ?? model.outputs;
  for (const w of wanted) if (!byName.has(w)) throw new Error(`model ${model.name} has no layer named ${w}`);
  if (model.inputs.length !== 1) throw new Error(`model ${model.name}: only single-input models are supported`);

  // Keep only layers the wanted outputs depend on; count consumers to know where BatchNorm may fold.
  const { needed, consumers } = neededLayers(byName, wanted);
  const g = new GraphBuilder();
  const c: Conversion = { src, g, values: new Map(), wanted, consumers, convs: [], materialize: padMaterializer(g) };
  const inputName = g.reserve(opts.inputName ?? 'input');
  const seen = new Set<string>();
  let inputShape: number[] = [];
  for (const layer of model.layers) {
    if (!needed.has(layer.name)) continue;
    seen.add(layer.class_name);
    if (layer.class_name === 'InputLayer') {
      inputShape = addInput(g, layer, inputName, opts);
      c.values.set(layer.name, { name: inputName, shape: inputShape });
    } else {
      c.values.set(layer.name, convertLayer(c, layer));
    }
  }

  // Conv weights are serialised last because BatchNorm folding may have rescaled them.
  for (const rec of c.convs) {
    rec.node.input![1] = g.floatInit(`${rec.layer}/kernel`, rec.weightDims, rec.weight);
    rec.node.input![2] = g.floatInit(`${rec.layer}/bias`, [rec.weightDims[0]], rec.bias);
  }

  const outputs = addOutputs(c, opts.dynamicSize);
  if (opts.dynamicSize && seen.has('Flatten')) {
    throw new Error(
      `model ${model.name}: dynamic input size is impossible with Flatten in the graph; truncate before it`,
    );
  }
  const bytes = g.toBytes({ graphName: model.name, docString: opts.docString, opset: 13 });
  return { bytes, inputName, inputShape, outputs, layerClasses: [...seen] };
}
