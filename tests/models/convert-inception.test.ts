/**
 * Converter parity, InceptionV3. tfjs's pure-JS CPU backend needs ~25 s of CPU for one full 299×299 pass,
 * so: the full network (probabilities, pre-softmax Dense, both taps) on one input at the real 299 size, and
 * the prepared dynamic-size extractor (truncated after mixed7) on two more inputs at other sizes, against
 * tfjs running the same truncated topology rebuilt for those sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBackbone } from '../../models/load.ts';
import { installedPackage, prepareModel, readSources } from '../../models/prepare.ts';
import { convertKerasToOnnx } from '../../models/tfjs/convert.ts';
import { readTfjsLayersModel, type TfjsLayersModel } from '../../models/tfjs/read.ts';
import { maxAbs, maxAbsDiff, nhwcToNchw, testImages, tfjsModel, tfjsRun, tfjsTruncated } from './parity.ts';

const TOL = 1e-3;
const SIZE = 299;

describe('tfjs → ONNX converter, InceptionV3 from nsfwjs', () => {
  let src: TfjsLayersModel;
  let dir: string;

  beforeAll(() => {
    src = readTfjsLayersModel(join(installedPackage('nsfwjs').root, 'dist/models/inception_v3'));
    dir = mkdtempSync(join(tmpdir(), 'models-inception-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('full network at 299: probabilities, pre-softmax Dense and mixed2/mixed7 match tfjs within 1e-3', async () => {
    const names = ['dense_3', 'dense_2', 'mixed2', 'mixed7'];
    const full = convertKerasToOnnx(src, { outputs: names });
    const session = await ort.InferenceSession.create(full.bytes, { intraOpNumThreads: 2 });
    const [image] = testImages(1, SIZE, SIZE, 11);
    const ref = tfjsRun(await tfjsModel(src), names, [image], SIZE, SIZE);
    const res = await session.run({
      input: new ort.Tensor('float32', nhwcToNchw(image, SIZE, SIZE), [1, 3, SIZE, SIZE]),
    });
    expect(res.mixed2.dims).toEqual([1, 288, 35, 35]);
    expect(res.mixed7.dims).toEqual([1, 768, 17, 17]);
    names.forEach((name, k) => {
      if (name !== 'dense_3') expect(maxAbs(ref[k]), name).toBeGreaterThan(0.1);
      expect(maxAbsDiff(ref[k], res[name], 0), name).toBeLessThan(TOL);
    });
    await session.release();
  });

  it('prepared extractor (dynamic H/W) matches tfjs at 139×139 and 171×150', async () => {
    const spec = readSources()['inception_v3-features'];
    const manifest = prepareModel('inception_v3-features', spec, dir);
    expect(manifest.taps).toEqual([
      { name: 'mixed2', stride: 8, channels: 288, mapSize: [35, 35] },
      { name: 'mixed7', stride: 16, channels: 768, mapSize: [17, 17] },
    ]);
    const { session } = await loadBackbone(join(dir, 'inception_v3-features.json'));
    for (const [h, w, seed] of [
      [139, 139, 3],
      [171, 150, 4],
    ]) {
      const [image] = testImages(1, h, w, seed);
      const ref = tfjsRun(await tfjsTruncated(src, spec.taps, h, w), spec.taps, [image], h, w);
      const res = await session.run({ input: new ort.Tensor('float32', nhwcToNchw(image, h, w), [1, 3, h, w]) });
      spec.taps.forEach((name, k) => {
        expect(maxAbsDiff(ref[k], res[name], 0), `${name} at ${h}×${w}`).toBeLessThan(TOL);
      });
    }
    await session.release();
  });
});
