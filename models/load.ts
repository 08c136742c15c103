/** Load a backbone for the station: manifest first, checksum verified, then an ONNX Runtime session. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { ModelManifest } from './manifest.ts';
import { cpuSessionOptions } from './onnx/sessionOptions.ts';
import { readManifest, sha256File } from './manifest-file.ts';

export interface LoadOptions {
  /** ORT intra-op threads; 2 by default (the bench machines have 2 cores). */
  intraOpNumThreads?: number;
  /** Let ORT worker threads busy-wait between runs (off by default; see cpuSessionOptions). */
  allowSpinning?: boolean;
}

export interface Backbone {
  session: ort.InferenceSession;
  manifest: ModelManifest;
  /** Absolute path of the verified ONNX file. */
  file: string;
}

/** Check the ONNX file named by a manifest against its sha256; returns the manifest and the file path. */
export function verifyModel(manifestPath: string): { manifest: ModelManifest; file: string } {
  const manifest = readManifest(manifestPath);
  const file = resolve(dirname(manifestPath), manifest.file);
  if (!existsSync(file)) {
    throw new Error(
      `model file ${file} named by manifest ${manifestPath} is missing; run \`npm run models\` to regenerate it`,
    );
  }
  const actual = sha256File(file);
  if (actual !== manifest.sha256) {
    throw new Error(
      `model file ${file} does not match its manifest (sha256 ${actual}, manifest says ${manifest.sha256}); ` +
        'run `npm run models` to regenerate it',
    );
  }
  return { manifest, file };
}

export async function loadBackbone(manifestPath: string, opts: LoadOptions = {}): Promise<Backbone> {
  const { manifest, file } = verifyModel(manifestPath);
  const session = await ort.InferenceSession.create(file, {
    ...cpuSessionOptions({ threads: opts.intraOpNumThreads ?? 2, spinning: opts.allowSpinning }),
    interOpNumThreads: 1,
  });
  const missing = manifest.taps.map((t) => t.name).filter((n) => !session.outputNames.includes(n));
  if (missing.length) {
    await session.release();
    throw new Error(
      `model ${file} lacks the outputs ${missing.join(', ')} listed in ${manifestPath}; run \`npm run models\` to regenerate it`,
    );
  }
  if (!session.inputNames.includes(manifest.input.name)) {
    await session.release();
    throw new Error(`model ${file} has no input named ${manifest.input.name} (manifest ${manifestPath})`);
  }
  return { session, manifest, file };
}

/**
 * The station's backbone unless its config names another. MobileNetV2 catches shape defects (chips, cracks, missing
 * corners) on the demo's items that InceptionV3 lets pass or sends to review; InceptionV3 is the better choice for
 * fine textures such as magnetic tile (see station/vision/README.md, "Choosing the backbone" in README.md).
 */
export const DEFAULT_BACKBONE = 'mobilenet_v2-features';

/** Default manifest path for a generated model id. */
export function generatedManifestPath(
  id: string,
  root = join(dirname(fileURLToPath(import.meta.url)), 'generated'),
): string {
  return join(root, `${id}.json`);
}
