/**
 * Converter parity, MobileNetV2: the ONNX graph converted from nsfwjs's tfjs model must give the same
 * numbers as TensorFlow.js's pure-JS CPU backend running the original, on several inputs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBackbone } from '../../models/load.ts';
import { installedPackage, prepareModel, readSources } from '../../models/prepare.ts';
import { convertKerasToOnnx } from '../../models/tfjs/convert.ts';
import { readTfjsLayersModel, type TfjsLayersModel } from '../../models/tfjs/read.ts';
import { maxAbs, maxAbsDiff, nhwcToNchw, testImages, tfjsModel, tfjsRun, tfjsTruncated } from './parity.ts';

const TOL = 1e-3;
const SIZE = 224;

describe('tfjs → ONNX converter, MobileNetV2 from nsfwjs', () => {
  let src: TfjsLayersModel;
  let reference: tf.LayersModel;
  let images: Float32Array[];
  let dir: string;
  const taps = readSources()['mobilenet_v2-features'].taps;
  const compared = ['dense_3', 'dense_2', ...taps];
  let tfOut: { shape: number[]; data: Float32Array }[];

  beforeAll(async () => {
    src = readTfjsLayersModel(join(installedPackage('nsfwjs').root, 'dist/models/mobilenet_v2'));
    reference = await tfjsModel(src);
    images = testImages(3, SIZE, SIZE);
    tfOut = tfjsRun(reference, compared, images, SIZE, SIZE);
    dir = mkdtempSync(join(tmpdir(), 'models-convert-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every dequantized weight the topology needs', () => {
    expect(src.model.outputs).toEqual(['dense_3']);
    const k = src.weights.get('Conv1/kernel')!;
    expect(k.shape).toEqual([3, 3, 3, 32]);
    const q = src.weightSpecs.find((w) => w.name === 'Conv1/kernel')!.quantization!;
    // Dequantized values lie on the uint8 grid min + q * scale.
    for (const v of k.data.slice(0, 50)) {
      const step = (v - q.min!) / q.scale!;
      expect(Math.abs(step - Math.round(step))).toBeLessThan(1e-3);
    }
  });

  it('full network: class probabilities match tfjs within 1e-3 on 3 inputs', async () => {
    const full = convertKerasToOnnx(src); // the model's own output, whole graph
    expect(full.outputs.map((o) => o.name)).toEqual(['dense_3']);
    const session = await ort.InferenceSession.create(full.bytes);
    const probs: number[][] = [];
    for (let i = 0; i < images.length; i++) {
      const res = await session.run({
        input: new ort.Tensor('float32', nhwcToNchw(images[i], SIZE, SIZE), [1, 3, SIZE, SIZE]),
      });
      expect(maxAbsDiff(tfOut[0], res.dense_3, i)).toBeLessThan(TOL);
      probs.push(Array.from(res.dense_3.data as Float32Array));
    }
    await session.release();
    // The inputs give different answers, so agreement is not an accident of a constant output.
    expect(Math.max(...probs[0].map((p, j) => Math.abs(p - probs[1][j])))).toBeGreaterThan(1e-3);
  });

  it('full network with inner outputs: pre-softmax Dense and feature taps match too', async () => {
    const conv = convertKerasToOnnx(src, { outputs: compared });
    const session = await ort.InferenceSession.create(conv.bytes);
    for (let i = 0; i < images.length; i++) {
      const res = await session.run({
        input: new ort.Tensor('float32', nhwcToNchw(images[i], SIZE, SIZE), [1, 3, SIZE, SIZE]),
      });
      compared.forEach((name, k) => {
        expect(maxAbs(tfOut[k]), name).toBeGreaterThan(0.1);
        expect(maxAbsDiff(tfOut[k], res[name], i), `${name} on image ${i}`).toBeLessThan(TOL);
      });
    }
    await session.release();
  });

  it('prepared feature extractor (truncated, dynamic H/W) loads with a verified checksum and matches tfjs taps', async () => {
    const manifest = prepareModel('mobilenet_v2-features', readSources()['mobilenet_v2-features'], dir);
    expect(manifest.taps.map((t) => [t.name, t.stride, t.channels])).toEqual([
      ['block_2_add', 4, 24],
      ['block_5_add', 8, 32],
      ['block_6_expand_relu', 8, 192],
      ['block_9_add', 16, 64],
      ['block_12_add', 16, 96],
      ['block_13_expand_relu', 16, 576],
    ]);
    const { session } = await loadBackbone(join(dir, 'mobilenet_v2-features.json'), { intraOpNumThreads: 1 });
    expect([...session.outputNames]).toEqual(taps);
    const res = await session.run({
      input: new ort.Tensor('float32', nhwcToNchw(images[1], SIZE, SIZE), [1, 3, SIZE, SIZE]),
    });
    taps.forEach((name) => {
      expect(maxAbsDiff(tfOut[compared.indexOf(name)], res[name], 1), name).toBeLessThan(TOL);
    });
    // H/W are symbolic: a 160×128 input gives 20×16 stride-8 maps, equal to tfjs rebuilt at that size.
    const [small] = testImages(1, 160, 128, 21);
    const ref = tfjsRun(await tfjsTruncated(src, taps, 160, 128), taps, [small], 160, 128);
    const got = await session.run({ input: new ort.Tensor('float32', nhwcToNchw(small, 160, 128), [1, 3, 160, 128]) });
    expect(got.block_5_add.dims).toEqual([1, 32, 20, 16]);
    taps.forEach((name, k) => {
      expect(maxAbsDiff(ref[k], got[name], 0), `${name} at 160×128`).toBeLessThan(TOL);
    });
    await session.release();
  });
});
