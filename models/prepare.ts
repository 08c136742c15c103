/**
 * `npm run models` (tsx models/prepare.ts [--force]): converts the tfjs backbones shipped in the installed
 * nsfwjs package into ONNX feature extractors under models/generated/, as listed in models/sources.json.
 * Idempotent: a model whose file matches its manifest (checksum, package version, taps, converter) is left alone.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelManifest } from './manifest.ts';
import { readManifest, sha256Bytes, sha256File, writeManifest } from './manifest-file.ts';
import { writeFileAtomicSync } from '../station/store/atomicWrite.ts';
import { convertKerasToOnnx } from './tfjs/convert.ts';
import { readTfjsLayersModel } from './tfjs/read.ts';

export const CONVERTER_ID = 'models/tfjs/convert.ts v1';
const here = dirname(fileURLToPath(import.meta.url));
export const GENERATED_DIR = join(here, 'generated');

export interface SourceEntry {
  package: string;
  path: string;
  url?: string;
  licence: string;
  what?: string;
  size: number;
  dynamicSize: boolean;
  taps: string[];
  /** The backbone's cost model on the reference bench (see manifest.ts); copied into its manifest. */
  cost?: ModelManifest['cost'];
  notes?: string;
}

export function readSources(file = join(here, 'sources.json')): Record<string, SourceEntry> {
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  if (!parsed.models || typeof parsed.models !== 'object') throw new Error(`${file}: no "models" object`);
  return parsed.models;
}

/** Root folder and version of an installed package (its exports map may hide package.json). */
export function installedPackage(name: string): { root: string; version: string } {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new Error(`package ${name} is not installed; run \`npm ci\` first`);
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      const p = JSON.parse(readFileSync(pj, 'utf8'));
      if (p.name === name) return { root: dir, version: p.version };
    }
  }
  throw new Error(`package ${name}: cannot find its package.json above ${entry}`);
}

function upToDate(id: string, src: SourceEntry, version: string, dir: string): boolean {
  const manifestPath = join(dir, `${id}.json`);
  if (!existsSync(manifestPath)) return false;
  try {
    const m = readManifest(manifestPath);
    const file = join(dir, m.file);
    return (
      existsSync(file) &&
      m.source.version === version &&
      m.producedBy === CONVERTER_ID &&
      m.input.size === src.size &&
      m.taps.map((t) => t.name).join(',') === src.taps.join(',') &&
      sha256File(file) === m.sha256
    );
  } catch {
    return false;
  }
}

/** Convert one source entry; returns the manifest written. */
export function prepareModel(id: string, src: SourceEntry, dir = GENERATED_DIR): ModelManifest {
  const pkg = installedPackage(src.package);
  const tfjs = readTfjsLayersModel(join(pkg.root, src.path));
  const result = convertKerasToOnnx(tfjs, {
    outputs: src.taps,
    inputSize: [src.size, src.size],
    dynamicSize: src.dynamicSize,
    docString: `${id}: ${src.package}@${pkg.version} ${src.path}, truncated after ${src.taps.at(-1)}`,
  });
  mkdirSync(dir, { recursive: true });
  const file = `${id}.onnx`;
  writeFileAtomicSync(join(dir, file), result.bytes);
  const manifest: ModelManifest = {
    id,
    file,
    sha256: sha256Bytes(result.bytes),
    source: {
      package: src.package,
      version: pkg.version,
      url: src.url,
      note: `${src.path} (${src.what ?? 'tfjs layers model'})`,
    },
    licence: src.licence,
    input: {
      name: result.inputName,
      layout: 'NCHW',
      size: src.size,
      dynamicSize: src.dynamicSize,
      colour: 'RGB',
      dtype: 'float32',
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    },
    taps: result.outputs.map(({ name, shape }) => {
      const [, channels, h, w] = shape;
      // Cell spacing is a power of two; valid padding can shrink the map below size / stride.
      const stride = 2 ** Math.round(Math.log2(src.size / h));
      return { name, stride, channels, mapSize: [h, w] as [number, number] };
    }),
    created: new Date().toISOString(),
    producedBy: CONVERTER_ID,
    notes: src.notes,
    cost: src.cost,
  };
  writeManifest(join(dir, `${id}.json`), manifest);
  return manifest;
}

/** A new cost measurement needs no new conversion: only the manifest is rewritten. */
function syncCost(manifestPath: string, cost: SourceEntry['cost']): void {
  const m = readManifest(manifestPath);
  if (JSON.stringify(m.cost) === JSON.stringify(cost)) return;
  writeManifest(manifestPath, { ...m, cost });
}

export function prepareAll(opts: { force?: boolean; dir?: string; log?: (s: string) => void } = {}): void {
  const dir = opts.dir ?? GENERATED_DIR;
  const log = opts.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const sources = readSources();
  for (const [id, src] of Object.entries(sources)) {
    const { version } = installedPackage(src.package);
    if (!opts.force && upToDate(id, src, version, dir)) {
      syncCost(join(dir, `${id}.json`), src.cost);
      log(`models: ${id} is up to date`);
      continue;
    }
    const t0 = Date.now();
    const m = prepareModel(id, src, dir);
    const taps = m.taps
      .map((t) => `${t.name} (stride ${t.stride}, ${t.channels} ch, ${t.mapSize?.join('x')})`)
      .join(', ');
    log(`models: wrote ${join(dir, m.file)} in ${Date.now() - t0} ms; taps ${taps}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  try {
    prepareAll({ force: process.argv.includes('--force') });
  } catch (err) {
    process.stderr.write(`models: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
