/** Keras Conv2D / DepthwiseConv2D / BatchNormalization / Dense → ONNX, including BatchNorm folding. */
import { attrFloat, attrInt, attrInts, attrString } from '../onnx/proto.ts';
import { activation } from './layers-simple.ts';
import { fail, outSize, pair, type LayerContext, type Value } from './values.ts';

/** A Keras HWIO kernel ([kh, kw, in, out or multiplier]) in ONNX's OIHW order; depthwise: [in·mult, 1, kh, kw]. */
function kernelToOihw(k: { shape: number[]; data: Float32Array }, depthwise: boolean): Float32Array {
  const [kh, kw, cin, last] = k.shape;
  const cout = depthwise ? cin * last : last;
  const weight = new Float32Array(cout * (depthwise ? 1 : cin) * kh * kw);
  for (let y = 0; y < kh; y++)
    for (let xx = 0; xx < kw; xx++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < last; o++) {
          const src = k.data[((y * kw + xx) * cin + i) * last + o];
          // Depthwise: output channel i*mult+o reads input channel i only (TF channel order).
          const dst = depthwise ? ((i * last + o) * kh + y) * kw + xx : ((o * cin + i) * kh + y) * kw + xx;
          weight[dst] = src;
        }
  return weight;
}

/** Conv2D and DepthwiseConv2D: HWIO kernels → OIHW; depthwise becomes a group conv. */
export function conv(ctx: LayerContext, [x]: Value[], depthwise: boolean): Value {
  const { g, layer } = ctx;
  const c = layer.config;
  if (c.data_format && c.data_format !== 'channels_last') fail(layer, `data_format ${c.data_format} is not supported`);
  const [sh, sw] = pair(c.strides ?? 1, layer, 'strides');
  const [dh, dw] = pair(c.dilation_rate ?? 1, layer, 'dilation_rate');
  if (c.padding !== 'same' && c.padding !== 'valid') fail(layer, `padding ${c.padding} is not supported`);
  if (x.pad && c.padding === 'same') x = ctx.materialize(x);

  const k = ctx.weight(depthwise ? 'depthwise_kernel' : 'kernel');
  const [kh, kw, cin, last] = k.shape;
  if (cin !== x.shape[1]) fail(layer, `kernel expects ${cin} input channels, input has ${x.shape[1]}`);
  const cout = depthwise ? cin * last : last;
  const weight = kernelToOihw(k, depthwise);
  const b = c.use_bias ? ctx.weight('bias').data : new Float32Array(cout);

  const attrs = [attrInts('kernel_shape', [kh, kw]), attrInts('strides', [sh, sw]), attrInts('dilations', [dh, dw])];
  if (depthwise) attrs.push(attrInt('group', cin));
  const [pt, pb, pl, pr] = x.pad ?? [0, 0, 0, 0];
  if (c.padding === 'same')
    attrs.push(attrString('auto_pad', 'SAME_UPPER')); // TF 'same': extra pixel bottom/right
  else attrs.push(attrInts('pads', [pt, pl, pb, pr]));

  const act = c.activation ?? 'linear';
  const convOut = act === 'linear' ? ctx.outName : g.unique(`${layer.name}/conv`);
  const node = g.node('Conv', [x.name, '', ''], [convOut], attrs, layer.name);
  const record = {
    node,
    layer: layer.name,
    weight,
    weightDims: [cout, depthwise ? 1 : cin, kh, kw],
    bias: new Float32Array(b),
  };
  ctx.convs.push(record);

  const [, , h, w] = x.shape;
  const shape = [
    x.shape[0],
    cout,
    outSize(h + pt + pb, kh, sh, c.padding, dh),
    outSize(w + pl + pr, kw, sw, c.padding, dw),
  ];
  const out: Value = { name: convOut, shape };
  if (act === 'linear') return ctx.foldable ? { ...out, conv: record } : out;
  return activation(ctx, out, act);
}

/** Keras BatchNormalization (inference): y = (x - mean) / sqrt(var + eps) * gamma + beta. */
export function batchNorm(ctx: LayerContext, [x]: Value[]): Value {
  const { g, layer } = ctx;
  const c = layer.config;
  const rank = x.shape.length;
  const axis = c.axis < 0 ? c.axis + rank : c.axis;
  if (axis !== rank - 1) fail(layer, `axis ${c.axis} is not the channel axis`);
  const ch = x.shape[1];
  const mean = ctx.weight('moving_mean').data;
  const variance = ctx.weight('moving_variance').data;
  const gamma = c.scale === false ? new Float32Array(ch).fill(1) : ctx.weight('gamma').data;
  const beta = c.center === false ? new Float32Array(ch) : ctx.weight('beta').data;
  const eps = c.epsilon ?? 1e-3;

  if (x.conv && !x.pad) {
    // Fold into the conv: w' = w * s, b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps).
    const rec = x.conv;
    const perOut = rec.weight.length / ch;
    for (let o = 0; o < ch; o++) {
      const s = gamma[o] / Math.sqrt(variance[o] + eps);
      for (let j = 0; j < perOut; j++) rec.weight[o * perOut + j] *= s;
      rec.bias[o] = (rec.bias[o] - mean[o]) * s + beta[o];
    }
    rec.node.output = [ctx.outName];
    return { name: ctx.outName, shape: x.shape, conv: ctx.foldable ? rec : undefined };
  }
  x = ctx.materialize(x);
  const inputs = [
    x.name,
    g.floatInit(`${layer.name}/gamma`, [ch], new Float32Array(gamma)),
    g.floatInit(`${layer.name}/beta`, [ch], new Float32Array(beta)),
    g.floatInit(`${layer.name}/moving_mean`, [ch], new Float32Array(mean)),
    g.floatInit(`${layer.name}/moving_variance`, [ch], new Float32Array(variance)),
  ];
  g.node('BatchNormalization', inputs, [ctx.outName], [attrFloat('epsilon', eps)]);
  return { name: ctx.outName, shape: x.shape };
}

/** Keras Dense on a flat [N, F] input → Gemm (kernel is [in, out], as Gemm's B without transpose). */
export function dense(ctx: LayerContext, [x]: Value[]): Value {
  const { g, layer } = ctx;
  if (x.shape.length !== 2) fail(layer, `Dense on a rank-${x.shape.length} input is not supported (add Flatten)`);
  const k = ctx.weight('kernel');
  const [fin, units] = k.shape;
  if (fin !== x.shape[1]) fail(layer, `kernel expects ${fin} inputs, got ${x.shape[1]}`);
  const inputs = [x.name, g.floatInit(`${layer.name}/kernel`, [fin, units], k.data)];
  if (layer.config.use_bias !== false) inputs.push(g.floatInit(`${layer.name}/bias`, [units], ctx.weight('bias').data));
  const act = layer.config.activation ?? 'linear';
  const name = act === 'linear' ? ctx.outName : g.unique(`${layer.name}/gemm`);
  g.node('Gemm', inputs, [name], [], layer.name);
  const out = { name, shape: [x.shape[0], units] };
  return act === 'linear' ? out : activation(ctx, out, act);
}
