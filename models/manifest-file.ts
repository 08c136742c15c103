/** Reading, checking and writing model manifests (JSON next to the ONNX file). */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ModelManifest } from './manifest.ts';

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Write via a temporary name and rename, so a crash never leaves half a file. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isTriple = (v: unknown) => Array.isArray(v) && v.length === 3 && v.every(isNum);

/** Parse and validate a manifest; every problem names the file and the field. */
export function readManifest(path: string): ModelManifest {
  if (!existsSync(path)) {
    throw new Error(`model manifest ${path} is missing; run \`npm run models\` to generate it`);
  }
  let m: any;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`model manifest ${path} is not valid JSON (${(err as Error).message}); run \`npm run models\` to regenerate it`);
  }
  const bad = (field: string) => new Error(`model manifest ${path}: field ${field} is missing or invalid; run \`npm run models\` to regenerate it`);
  for (const f of ['id', 'file', 'sha256', 'licence', 'created'] as const) if (typeof m?.[f] !== 'string') throw bad(f);
  if (!/^[0-9a-f]{64}$/.test(m.sha256)) throw bad('sha256');
  const i = m.input;
  if (!i || typeof i.name !== 'string') throw bad('input.name');
  if (i.layout !== 'NCHW') throw bad('input.layout');
  if (!isNum(i.size) || i.size <= 0) throw bad('input.size');
  if (typeof i.dynamicSize !== 'boolean') throw bad('input.dynamicSize');
  if (i.colour !== 'RGB' && i.colour !== 'BGR') throw bad('input.colour');
  if (i.dtype !== 'float32' && i.dtype !== 'float16') throw bad('input.dtype');
  if (!isNum(i.scale)) throw bad('input.scale');
  if (!isTriple(i.mean)) throw bad('input.mean');
  if (!isTriple(i.std) || i.std.some((s: number) => s === 0)) throw bad('input.std');
  if (!Array.isArray(m.taps) || m.taps.length === 0) throw bad('taps');
  m.taps.forEach((t: any, k: number) => {
    if (typeof t?.name !== 'string' || !isNum(t.stride) || !isNum(t.channels)) throw bad(`taps[${k}]`);
  });
  if (typeof m.source !== 'object' || m.source === null) throw bad('source');
  return m as ModelManifest;
}

export function writeManifest(path: string, manifest: ModelManifest): void {
  writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
}
