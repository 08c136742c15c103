/**
 * Converter parity, InceptionV3 at its real 299×299 size. tfjs's pure-JS CPU backend needs ~25 s for one
 * full forward pass here, so: the full network (probabilities, pre-softmax Dense, both taps) on one input,
 * and the stride-8 tap (stem, 3×3/5×5/pool branches, Concatenate) on two more inputs.
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { installedPackage } from '../../models/prepare.ts';
import { convertKerasToOnnx } from '../../models/tfjs/convert.ts';
import { readTfjsLayersModel, type TfjsLayersModel } from '../../models/tfjs/read.ts';
import { maxAbs, maxAbsDiff, nhwcToNchw, testImages, tfjsModel, tfjsRun } from './parity.ts';

const TOL = 1e-3;
const SIZE = 299;

describe('tfjs → ONNX converter, InceptionV3 from nsfwjs', () => {
  let src: TfjsLayersModel;
  let images: Float32Array[];
  let session: ort.InferenceSession;

  beforeAll(async () => {
    src = readTfjsLayersModel(join(installedPackage('nsfwjs').root, 'dist/models/inception_v3'));
    images = testImages(3, SIZE, SIZE, 11);
    const full = convertKerasToOnnx(src, { outputs: ['dense_3', 'dense_2', 'mixed2', 'mixed7'] });
    session = await ort.InferenceSession.create(full.bytes, { intraOpNumThreads: 2 });
  });

  const run = (img: Float32Array) => session.run({ input: new ort.Tensor('float32', nhwcToNchw(img, SIZE, SIZE), [1, 3, SIZE, SIZE]) });

  it('full network: probabilities, pre-softmax Dense and mixed2/mixed7 match tfjs within 1e-3', async () => {
    const names = ['dense_3', 'dense_2', 'mixed2', 'mixed7'];
    const ref = tfjsRun(await tfjsModel(src), names, [images[0]], SIZE, SIZE);
    const res = await run(images[0]);
    expect(res.mixed2.dims).toEqual([1, 288, 35, 35]);
    expect(res.mixed7.dims).toEqual([1, 768, 17, 17]);
    names.forEach((name, k) => {
      if (name !== 'dense_3') expect(maxAbs(ref[k]), name).toBeGreaterThan(0.1);
      expect(maxAbsDiff(ref[k], res[name], 0), name).toBeLessThan(TOL);
    });
  });

  it('stride-8 tap mixed2 matches tfjs on two more inputs', async () => {
    const ref = tfjsRun(await tfjsModel(src), ['mixed2'], images.slice(1), SIZE, SIZE);
    for (let i = 1; i < images.length; i++) {
      const res = await run(images[i]);
      expect(maxAbsDiff(ref[0], res.mixed2, i - 1), `mixed2 on image ${i}`).toBeLessThan(TOL);
    }
  });
});
