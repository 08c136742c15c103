/** Bring-your-own backbone (models/add.ts) on small classifiers the test builds itself with onnx-proto. */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, type AddOptions } from '../../models/add.ts';
import { loadBackbone } from '../../models/load.ts';
import { decodeModel } from '../../models/onnx/proto.ts';
import { floatClassifier, fromHalf, halfClassifier, quantizedClassifier, toHalf } from './tiny-models.ts';
import { rng } from './parity.ts';

let dir: string;
const quiet = () => undefined;

function write(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

function options(file: string, taps: string[], extra: Partial<AddOptions> = {}): AddOptions {
  return {
    file,
    taps,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    scale: 1 / 255,
    colour: 'RGB',
    outDir: join(dir, 'out'),
    log: quiet,
    // These toy graphs have stride-1 taps; timing them at bench sizes says nothing (measureCost is tested on a real backbone).
    measureCost: false,
    ...extra,
  };
}

function randomImage(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

async function runFile(file: string, feeds: Record<string, ort.Tensor>) {
  const s = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('npm run model:add (bring your own backbone)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'models-add-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exposes float taps, prunes the head, infers stride/channels, and matches the original tensors', async () => {
    const file = write('tiny.onnx', floatClassifier());
    const manifest = await addModel(options(file, ['feat_b', 'feat_a'], { id: 'tiny' }));
    expect(manifest.taps).toEqual([
      { name: 'feat_b', channels: 16, stride: 4, mapSize: [8, 8] },
      { name: 'feat_a', channels: 8, stride: 1, mapSize: [32, 32] },
    ]);
    expect(manifest.input).toMatchObject({
      name: 'input',
      size: 32,
      dynamicSize: true,
      dtype: 'float32',
      mean: [0.5, 0.5, 0.5],
    });

    const out = decodeModel(readFileSync(join(dir, 'out', 'tiny.onnx')));
    const graph = out.graph!;
    const ops = (graph.node ?? []).map((n) => n.opType);
    expect(ops).toEqual(['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu']); // head pruned
    expect((graph.initializer ?? []).map((t) => t.name).sort()).toEqual(['b1', 'b2', 'w1', 'w2']);

    // Same numbers as the original graph with the taps exposed; the loader accepts the manifest.
    const x = randomImage(3 * 32 * 32, 1);
    const ref = await runFile(write('tiny-ref.onnx', floatClassifier(['feat_a', 'feat_b'])), {
      input: new ort.Tensor('float32', x, [1, 3, 32, 32]),
    });
    const { session } = await loadBackbone(join(dir, 'out', 'tiny.json'), { intraOpNumThreads: 1 });
    const got = await session.run({ input: new ort.Tensor('float32', x, [1, 3, 32, 32]) });
    expect(maxDiff(got.feat_a.data as Float32Array, ref.feat_a.data as Float32Array)).toBe(0);
    expect(maxDiff(got.feat_b.data as Float32Array, ref.feat_b.data as Float32Array)).toBe(0);
    // Symbolic H/W: a 64×48 input gives a 16×12 stride-4 map.
    const big = await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 64 * 48), [1, 3, 64, 48]) });
    expect(big.feat_b.dims).toEqual([1, 16, 16, 12]);
    await session.release();
  });

  it('dequantizes uint8 taps with the scale/zero point of their QuantizeLinear or QLinearConv', async () => {
    const file = write('tiny-q.onnx', quantizedClassifier());
    const manifest = await addModel(options(file, ['q_a', 'q_b'], { id: 'tiny-q' }));
    expect(manifest.taps.map((t) => [t.name, t.channels, t.stride])).toEqual([
      ['q_a', 8, 1],
      ['q_b', 16, 2],
    ]);
    expect(manifest.notes).toContain('q_a: uint8 → float32 with DequantizeLinear(a_scale, a_zero_point)');

    const x = randomImage(3 * 16 * 16, 2);
    const feed = { input: new ort.Tensor('float32', x, [1, 3, 16, 16]) };
    const ref = await runFile(write('tiny-q-ref.onnx', quantizedClassifier(['dq_a', 'dq_b'])), feed);
    const got = await runFile(join(dir, 'out', 'tiny-q.onnx'), feed);
    expect(got.q_a.type).toBe('float32');
    expect(got.q_b.type).toBe('float32');
    expect(maxDiff(got.q_a.data as Float32Array, ref.dq_a.data as Float32Array)).toBe(0);
    expect(maxDiff(got.q_b.data as Float32Array, ref.dq_b.data as Float32Array)).toBe(0);
    // Not trivially zero: the relu/quantize chain leaves real activations.
    expect(Math.max(...(got.q_b.data as Float32Array))).toBeGreaterThan(0.1);
  });

  it('wraps an fp16 model so it takes and gives float32', async () => {
    const file = write('tiny-h.onnx', halfClassifier());
    const manifest = await addModel(options(file, ['h_a', 'h_b'], { id: 'tiny-h' }));
    expect(manifest.input.dtype).toBe('float32');
    expect(manifest.taps.map((t) => [t.name, t.channels, t.stride])).toEqual([
      ['h_a', 8, 1],
      ['h_b', 16, 2],
    ]);

    const x = randomImage(3 * 32 * 32, 3);
    const xh = Uint16Array.from(x, toHalf);
    const ref = await runFile(write('tiny-h-ref.onnx', halfClassifier(['h_a', 'h_b'])), {
      image: new ort.Tensor('float16', xh, [1, 3, 32, 32]),
    });
    const got = await runFile(join(dir, 'out', 'tiny-h.onnx'), {
      image: new ort.Tensor('float32', Float32Array.from(xh, fromHalf), [1, 3, 32, 32]),
    });
    expect(got.h_b.type).toBe('float32');
    const want = Float32Array.from(ref.h_b.data as Uint16Array, fromHalf);
    const peak = Math.max(...want.map(Math.abs));
    expect(peak).toBeGreaterThan(0.1);
    // ORT runs fp16 nodes through float kernels; where it rounds to fp16 may move by a half-precision ulp.
    expect(maxDiff(got.h_b.data as Float32Array, want)).toBeLessThan(peak * 2 ** -9);
  });

  it('refuses unknown or non-float tap names with a clear message', async () => {
    const file = write('tiny2.onnx', floatClassifier());
    await expect(addModel(options(file, ['feat']))).rejects.toThrow(
      /no node produces a tensor named "feat"\. Similar names: feat_a \(Relu\), feat_b \(Relu\)/,
    );
    await expect(addModel(options(file, ['probs']))).rejects.toThrow(
      /tap probs has shape \[1,4\]; taps must be NCHW feature maps/,
    );
    await expect(addModel(options(join(dir, 'nope.onnx'), ['x']))).rejects.toThrow(/nope\.onnx does not exist/);
  });
});
