/** Reading, checking and writing model manifests (JSON next to the ONNX file). */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { issueLine } from '../station/schema/format.ts';
import { writeFileAtomicSync } from '../station/store/atomicWrite.ts';
import { manifestSchema, type ModelManifest } from './manifest.ts';

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Parse and validate a manifest; a problem names the file and the field. */
export function readManifest(path: string): ModelManifest {
  const regenerate = 'run `npm run models` to regenerate it';
  if (!existsSync(path)) {
    throw new Error(`model manifest ${path} is missing; run \`npm run models\` to generate it`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`model manifest ${path} is not valid JSON (${(err as Error).message}); ${regenerate}`);
  }
  const r = manifestSchema.safeParse(raw);
  if (!r.success) throw new Error(`${issueLine(`model manifest ${path}`, r.error)}; ${regenerate}`);
  return r.data;
}

export function writeManifest(path: string, manifest: ModelManifest): void {
  writeFileAtomicSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
}
