/** Small ONNX classifiers built in the tests with onnx-proto: float, quantized (QDQ + QLinearConv) and fp16. */
import { GraphBuilder } from '../../models/onnx/graph.ts';
import { attrInt, attrInts, DataType, type Tensor } from '../../models/onnx/proto.ts';
import { rng } from './parity.ts';

const weights = (n: number, seed: number, scale = 0.3) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * scale);
};

/** float32 → IEEE half bits (round to nearest). */
export function toHalf(f: number): number {
  const x = new Uint32Array(new Float32Array([f]).buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 112;
  let m = x & 0x7fffff;
  if (e <= 0) {
    if (e < -10) return sign;
    m = (m | 0x800000) >> (1 - e);
    return sign | ((m + 0x1000) >> 13);
  }
  if (e >= 31) return sign | 0x7c00;
  return sign | ((e << 10) + ((m + 0x1000) >> 13));
}

export function fromHalf(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function halfTensor(name: string, dims: number[], data: Float32Array): Tensor {
  const h = Uint16Array.from(data, toHalf);
  return { name, dims, dataType: DataType.FLOAT16, rawData: new Uint8Array(h.buffer) };
}

/**
 * input [1,3,32,32] → Conv(8,3×3) → Relu `feat_a` (stride 1) → MaxPool 2 → Conv(16,3×3,s2) → Relu `feat_b`
 * (stride 4) → GlobalAveragePool → Flatten → Gemm(4) → Softmax `probs`. `extraOutputs` adds taps as outputs.
 */
export function floatClassifier(extraOutputs: string[] = []): Uint8Array {
  const g = new GraphBuilder();
  g.input('input', [1, 3, 32, 32]);
  const pad1 = [attrInts('pads', [1, 1, 1, 1])];
  g.node(
    'Conv',
    ['input', g.floatInit('w1', [8, 3, 3, 3], weights(216, 1)), g.floatInit('b1', [8], weights(8, 2, 0.1))],
    ['conv_a'],
    [attrInts('kernel_shape', [3, 3]), ...pad1],
  );
  g.node('Relu', ['conv_a'], ['feat_a']);
  g.node('MaxPool', ['feat_a'], ['pool_a'], [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])]);
  g.node(
    'Conv',
    ['pool_a', g.floatInit('w2', [16, 8, 3, 3], weights(1152, 3)), g.floatInit('b2', [16], weights(16, 4, 0.1))],
    ['conv_b'],
    [attrInts('kernel_shape', [3, 3]), attrInts('strides', [2, 2]), ...pad1],
  );
  g.node('Relu', ['conv_b'], ['feat_b']);
  g.node('GlobalAveragePool', ['feat_b'], ['gap']);
  g.node('Flatten', ['gap'], ['flat'], [attrInt('axis', 1)]);
  g.node(
    'Gemm',
    ['flat', g.floatInit('wf', [16, 4], weights(64, 5)), g.floatInit('bf', [4], weights(4, 6))],
    ['logits'],
  );
  g.node('Softmax', ['logits'], ['probs'], [attrInt('axis', 1)]);
  g.output('probs', [1, 4]);
  for (const o of extraOutputs) g.output(o, [null, null, null, null]);
  return g.toBytes({ graphName: 'tiny-float' });
}

/**
 * Quantized: Conv → Relu → QuantizeLinear `q_a` (uint8) → QLinearConv `q_b` (uint8) → DequantizeLinear `dq_b`
 * → GlobalAveragePool → Flatten → Gemm `logits`. Float reference tensors `dq_a` (DequantizeLinear of q_a, an
 * extra output only when asked) and `dq_b` show what the dequantized taps must equal.
 */
export function quantizedClassifier(extraOutputs: string[] = []): Uint8Array {
  const g = new GraphBuilder();
  g.input('input', [1, 3, 16, 16]);
  g.node(
    'Conv',
    ['input', g.floatInit('w1', [8, 3, 3, 3], weights(216, 7)), g.floatInit('b1', [8], weights(8, 8, 0.1))],
    ['conv_a'],
    [attrInts('kernel_shape', [3, 3]), attrInts('pads', [1, 1, 1, 1])],
  );
  g.node('Relu', ['conv_a'], ['relu_a']);
  const u8 = (name: string, dims: number[], values: number[]): string => {
    g.initializers.set(name, { name, dims, dataType: DataType.UINT8, rawData: Uint8Array.from(values) });
    return name;
  };
  const sa = g.scalarInit('a_scale', 0.02);
  const za = u8('a_zero_point', [], [3]);
  g.node('QuantizeLinear', ['relu_a', sa, za], ['q_a']);
  const r = rng(9);
  const wq = u8(
    'wq',
    [16, 8, 3, 3],
    Array.from({ length: 1152 }, () => Math.floor(r() * 256)),
  );
  const inputs = [
    'q_a',
    sa,
    za,
    wq,
    g.scalarInit('w_scale', 0.01),
    u8('w_zero_point', [], [128]),
    g.scalarInit('b_scale', 0.05),
    u8('b_zero_point', [], [10]),
  ];
  g.node(
    'QLinearConv',
    inputs,
    ['q_b'],
    [attrInts('kernel_shape', [3, 3]), attrInts('strides', [2, 2]), attrInts('pads', [1, 1, 1, 1])],
  );
  g.node('DequantizeLinear', ['q_b', 'b_scale', 'b_zero_point'], ['dq_b']);
  if (extraOutputs.includes('dq_a')) g.node('DequantizeLinear', ['q_a', sa, za], ['dq_a']);
  g.node('GlobalAveragePool', ['dq_b'], ['gap']);
  g.node('Flatten', ['gap'], ['flat'], [attrInt('axis', 1)]);
  g.node('Gemm', ['flat', g.floatInit('wf', [16, 4], weights(64, 10))], ['logits']);
  g.output('logits', [1, 4]);
  for (const o of extraOutputs) g.output(o, [null, null, null, null]);
  return g.toBytes({ graphName: 'tiny-quantized' });
}

/** fp16 throughout: input [1,3,32,32] fp16 → Conv → Relu `h_a` → Conv(s2) → Relu `h_b` → GAP → Flatten → Gemm. */
export function halfClassifier(extraOutputs: string[] = []): Uint8Array {
  const g = new GraphBuilder();
  g.input('image', [1, 3, 32, 32], DataType.FLOAT16);
  const init = (name: string, dims: number[], seed: number, scale = 0.3) => {
    g.initializers.set(
      name,
      halfTensor(
        name,
        dims,
        weights(
          dims.reduce((a, b) => a * b, 1),
          seed,
          scale,
        ),
      ),
    );
    return name;
  };
  g.node(
    'Conv',
    ['image', init('w1', [8, 3, 3, 3], 11), init('b1', [8], 12, 0.1)],
    ['c_a'],
    [attrInts('kernel_shape', [3, 3]), attrInts('pads', [1, 1, 1, 1])],
  );
  g.node('Relu', ['c_a'], ['h_a']);
  g.node(
    'Conv',
    ['h_a', init('w2', [16, 8, 3, 3], 13)],
    ['c_b'],
    [attrInts('kernel_shape', [3, 3]), attrInts('strides', [2, 2]), attrInts('pads', [1, 1, 1, 1])],
  );
  g.node('Relu', ['c_b'], ['h_b']);
  g.node('GlobalAveragePool', ['h_b'], ['gap']);
  g.node('Flatten', ['gap'], ['flat'], [attrInt('axis', 1)]);
  g.node('Gemm', ['flat', init('wf', [16, 4], 14)], ['logits']);
  g.output('logits', [1, 4], DataType.FLOAT16);
  for (const o of extraOutputs) g.output(o, [null, null, null, null], DataType.FLOAT16);
  return g.toBytes({ graphName: 'tiny-half' });
}
