/** Keras layers without weights → ONNX: activations, merges, pooling, padding, flatten. */
import { attrFloat, attrInt, attrInts, attrString } from '../onnx/proto.ts';
import { fail, outSize, pair, type LayerContext, type Pad, type Value } from './values.ts';

/** Emit a Keras activation function by name; the result carries the layer's output name. */
export function activation(ctx: LayerContext, x: Value, act: string): Value {
  const { g, layer } = ctx;
  const out = ctx.outName;
  x = ctx.materialize(x);
  const clip = (lo: number, hi: number, input = x.name, output = out) =>
    g.node('Clip', [input, g.scalarInit(`${layer.name}/min`, lo), g.scalarInit(`${layer.name}/max`, hi)], [output]);
  switch (act) {
    case 'linear':
      g.node('Identity', [x.name], [out]);
      break;
    case 'relu':
      g.node('Relu', [x.name], [out]);
      break;
    case 'relu6':
      clip(0, 6);
      break;
    case 'sigmoid':
      g.node('Sigmoid', [x.name], [out]);
      break;
    case 'tanh':
      g.node('Tanh', [x.name], [out]);
      break;
    case 'elu':
      g.node('Elu', [x.name], [out], [attrFloat('alpha', 1)]);
      break;
    case 'selu':
      g.node('Selu', [x.name], [out]);
      break;
    case 'softplus':
      g.node('Softplus', [x.name], [out]);
      break;
    case 'hard_sigmoid':
      g.node('HardSigmoid', [x.name], [out], [attrFloat('alpha', 0.2), attrFloat('beta', 0.5)]);
      break;
    case 'swish': {
      const s = g.unique(`${layer.name}/sigmoid`);
      g.node('Sigmoid', [x.name], [s]);
      g.node('Mul', [x.name, s], [out]);
      break;
    }
    // Keras softmax runs over the last axis, which is ONNX axis 1 for NCHW feature maps.
    case 'softmax':
      g.node('Softmax', [x.name], [out], [attrInt('axis', x.shape.length === 4 ? 1 : -1)]);
      break;
    default:
      fail(layer, `activation ${act} is not supported`);
  }
  return { name: out, shape: x.shape };
}

/** Keras ReLU layer: min(max(x, 0), max_value), optional leaky slope. */
export function reluLayer(ctx: LayerContext, [x]: Value[]): Value {
  const { layer } = ctx;
  const c = layer.config;
  if ((c.threshold ?? 0) !== 0) fail(layer, `threshold ${c.threshold} is not supported`);
  const slope = c.negative_slope ?? 0;
  if (slope !== 0) {
    if (c.max_value != null) fail(layer, 'negative_slope together with max_value is not supported');
    x = ctx.materialize(x);
    ctx.g.node('LeakyRelu', [x.name], [ctx.outName], [attrFloat('alpha', slope)]);
    return { name: ctx.outName, shape: x.shape };
  }
  if (c.max_value == null) return activation(ctx, x, 'relu');
  x = ctx.materialize(x);
  const g = ctx.g;
  g.node(
    'Clip',
    [x.name, g.scalarInit(`${layer.name}/min`, 0), g.scalarInit(`${layer.name}/max`, c.max_value)],
    [ctx.outName],
  );
  return { name: ctx.outName, shape: x.shape };
}

/** Add / Multiply / Maximum / Average merge layers. */
export function merge(ctx: LayerContext, xs: Value[], op: 'Add' | 'Mul' | 'Max' | 'Mean'): Value {
  xs = xs.map((x) => ctx.materialize(x));
  const first = xs[0].shape.join('x');
  for (const x of xs)
    if (x.shape.join('x') !== first) fail(ctx.layer, `input shapes differ (${first} vs ${x.shape.join('x')})`);
  const onnxOp = op === 'Add' ? (xs.length === 2 ? 'Add' : 'Sum') : op === 'Mul' ? 'Mul' : op;
  if (op === 'Mul' && xs.length !== 2) fail(ctx.layer, 'Multiply of more than two inputs is not supported');
  ctx.g.node(
    onnxOp,
    xs.map((x) => x.name),
    [ctx.outName],
  );
  return { name: ctx.outName, shape: xs[0].shape };
}

/** Keras channel-last axis → ONNX NCHW axis. */
function nchwAxis(axis: number, rank: number, ctx: LayerContext): number {
  const a = axis < 0 ? axis + rank : axis;
  if (rank === 2) return a;
  if (rank === 4) return a === 0 ? 0 : a === 3 ? 1 : a + 1;
  return fail(ctx.layer, `rank ${rank} is not supported`);
}

export function concatenate(ctx: LayerContext, xs: Value[]): Value {
  xs = xs.map((x) => ctx.materialize(x));
  const rank = xs[0].shape.length;
  const axis = nchwAxis(ctx.layer.config.axis ?? -1, rank, ctx);
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  ctx.g.node(
    'Concat',
    xs.map((x) => x.name),
    [ctx.outName],
    [attrInt('axis', axis)],
  );
  return { name: ctx.outName, shape };
}

/** MaxPooling2D / AveragePooling2D. Keras 'same' average pooling divides by the valid count only. */
export function pool(ctx: LayerContext, [x]: Value[], kind: 'MaxPool' | 'AveragePool'): Value {
  const { layer } = ctx;
  const c = layer.config;
  if (c.data_format && c.data_format !== 'channels_last') fail(layer, `data_format ${c.data_format} is not supported`);
  x = ctx.materialize(x);
  const [kh, kw] = pair(c.pool_size, layer, 'pool_size');
  const [sh, sw] = pair(c.strides ?? c.pool_size, layer, 'strides');
  const attrs = [attrInts('kernel_shape', [kh, kw]), attrInts('strides', [sh, sw])];
  if (c.padding === 'same') attrs.push(attrString('auto_pad', 'SAME_UPPER'));
  else if (c.padding !== 'valid') fail(layer, `padding ${c.padding} is not supported`);
  if (kind === 'AveragePool') attrs.push(attrInt('count_include_pad', 0));
  ctx.g.node(kind, [x.name], [ctx.outName], attrs);
  const [n, ch, h, w] = x.shape;
  return { name: ctx.outName, shape: [n, ch, outSize(h, kh, sh, c.padding), outSize(w, kw, sw, c.padding)] };
}

export function globalPool(ctx: LayerContext, [x]: Value[], kind: 'GlobalAveragePool' | 'GlobalMaxPool'): Value {
  x = ctx.materialize(x);
  const pooled = ctx.g.unique(`${ctx.layer.name}/pool`);
  ctx.g.node(kind, [x.name], [pooled]);
  ctx.g.node('Flatten', [pooled], [ctx.outName], [attrInt('axis', 1)]);
  return { name: ctx.outName, shape: [x.shape[0], x.shape[1]] };
}

/** ZeroPadding2D stays lazy: a following valid conv absorbs it into its pads. */
export function zeroPad(ctx: LayerContext, [x]: Value[]): Value {
  const p = ctx.layer.config.padding;
  let pad: Pad;
  if (typeof p === 'number') pad = [p, p, p, p];
  else if (Array.isArray(p) && typeof p[0] === 'number') pad = [p[0], p[0], p[1], p[1]];
  else if (Array.isArray(p) && Array.isArray(p[0])) pad = [p[0][0], p[0][1], p[1][0], p[1][1]];
  else return fail(ctx.layer, `padding ${JSON.stringify(p)} is not supported`);
  const prev = x.pad ?? [0, 0, 0, 0];
  const sum = pad.map((v, i) => v + prev[i]) as Pad;
  return { name: x.name, shape: x.shape, pad: sum };
}

/** Flatten in Keras order (NHWC): transpose back from NCHW first, so Dense weights line up. */
export function flatten(ctx: LayerContext, [x]: Value[]): Value {
  x = ctx.materialize(x);
  if (x.shape.length === 2) {
    ctx.g.node('Identity', [x.name], [ctx.outName]);
    return { name: ctx.outName, shape: x.shape };
  }
  const nhwc = ctx.g.unique(`${ctx.layer.name}/nhwc`);
  ctx.g.node('Transpose', [x.name], [nhwc], [attrInts('perm', [0, 2, 3, 1])]);
  ctx.g.node('Flatten', [nhwc], [ctx.outName], [attrInt('axis', 1)]);
  const [n, ch, h, w] = x.shape;
  return { name: ctx.outName, shape: [n, ch * h * w] };
}
