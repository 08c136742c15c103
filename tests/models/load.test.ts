/** The loader refuses a model whose file does not match its manifest, and says what to do. */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../models/manifest.ts';
import { readManifest, sha256Bytes, writeManifest } from '../../models/manifest-file.ts';
import { loadBackbone, verifyModel } from '../../models/load.ts';
import { floatClassifier } from './tiny-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'models-load-'));
const onnxFile = join(dir, 'tiny.onnx');
const manifestFile = join(dir, 'tiny.json');

function manifestFor(bytes: Uint8Array): ModelManifest {
  return {
    id: 'tiny',
    file: 'tiny.onnx',
    sha256: sha256Bytes(bytes),
    source: { note: 'built by the test' },
    licence: 'MIT',
    input: {
      name: 'input',
      layout: 'NCHW',
      size: 32,
      dynamicSize: false,
      colour: 'RGB',
      dtype: 'float32',
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    },
    taps: [{ name: 'probs', stride: 32, channels: 4 }],
    created: new Date().toISOString(),
  };
}

describe('loadBackbone', () => {
  const bytes = floatClassifier();
  beforeEach(() => {
    writeFileSync(onnxFile, bytes);
    writeManifest(manifestFile, manifestFor(bytes));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a model whose checksum matches, with a real ORT session', async () => {
    const { session, manifest } = await loadBackbone(manifestFile);
    expect(manifest.id).toBe('tiny');
    expect(session.outputNames).toContain('probs');
    await session.release();
  });

  it('refuses a file changed after its manifest was written', async () => {
    const changed = new Uint8Array(bytes);
    changed[changed.length - 10] ^= 0xff;
    writeFileSync(onnxFile, changed);
    const actual = sha256Bytes(changed);
    await expect(loadBackbone(manifestFile)).rejects.toThrow(
      `model file ${onnxFile} does not match its manifest (sha256 ${actual}, manifest says ${sha256Bytes(bytes)}); run \`npm run models\` to regenerate it`,
    );
  });

  it('refuses a manifest whose sha256 was edited', () => {
    const m = JSON.parse(readFileSync(manifestFile, 'utf8'));
    m.sha256 = '0'.repeat(64);
    writeFileSync(manifestFile, JSON.stringify(m));
    expect(() => verifyModel(manifestFile)).toThrow(/does not match its manifest/);
  });

  it('names the missing model file, the missing manifest and a broken field', async () => {
    unlinkSync(onnxFile);
    await expect(loadBackbone(manifestFile)).rejects.toThrow(
      `model file ${onnxFile} named by manifest ${manifestFile} is missing; run \`npm run models\``,
    );
    await expect(loadBackbone(join(dir, 'absent.json'))).rejects.toThrow(
      `model manifest ${join(dir, 'absent.json')} is missing; run \`npm run models\``,
    );
    const m = manifestFor(bytes) as unknown as Record<string, any>;
    delete m.input.std;
    writeFileSync(manifestFile, JSON.stringify(m));
    await expect(loadBackbone(manifestFile)).rejects.toThrow(
      /model manifest .*tiny\.json → input → std: must be three non-zero numbers, one per colour channel \(got nothing\); run `npm run models` to regenerate it/,
    );
  });

  it('refuses unknown fields at any level, and a zero std, naming the field', () => {
    const m = manifestFor(bytes);
    const refused = (edit: Record<string, unknown>, message: RegExp) => {
      writeFileSync(manifestFile, JSON.stringify({ ...m, ...edit }));
      expect(() => readManifest(manifestFile)).toThrow(message);
    };
    refused({ input: { ...m.input, colour_: 'RGB' } }, /tiny\.json → input: unknown field "colour_"/);
    refused({ taps: [{ ...m.taps[0], strides: 8 }] }, /tiny\.json → taps\[0\]: unknown field "strides"/);
    refused({ input: { ...m.input, std: [1, 0, 1] } }, /tiny\.json → input → std: must be three non-zero numbers/);
    refused({ taps: [] }, /tiny\.json → taps: must be a list of taps \(got \[\]\)/);
    writeManifest(manifestFile, m);
    expect(readManifest(manifestFile)).toEqual(m);
  });

  it('refuses a manifest listing a tap the model does not output', async () => {
    const m = manifestFor(bytes);
    m.taps = [{ name: 'feat_b', stride: 4, channels: 16 }];
    writeManifest(manifestFile, m);
    await expect(loadBackbone(manifestFile)).rejects.toThrow(/lacks the outputs feat_b/);
  });
});
