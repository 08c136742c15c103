/**
 * Bring your own backbone:
 *   npm run model:add -- <file.onnx> --taps <a>,<b> --mean r,g,b --std r,g,b [--scale 1/255] [--size 224]
 *                        [--id name] [--colour RGB|BGR] [--licence text] [--out-dir dir] [--skip-cost] [--list]
 * Exposes the named tensors of any ONNX image classifier as float32 outputs, prunes the rest, probes the
 * result once with ONNX Runtime for channels and strides, and writes models/generated/<id>.onnx + <id>.json.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type { ModelManifest } from './manifest.ts';
import { sha256Bytes, writeManifest } from './manifest-file.ts';
import { writeFileAtomicSync } from '../station/store/atomicWrite.ts';
import { decodeModel, encodeModel, toNumber } from './onnx/proto.ts';
import { exposeTaps, imageInput, listTensors } from './onnx/taps.ts';
import { loadBackbone } from './load.ts';
import { measureCaptureCost } from '../station/calibrate/tune/measureCost.ts';

export const ADD_ID = 'models/add.ts v1';
const here = dirname(fileURLToPath(import.meta.url));

export interface AddOptions {
  file: string;
  taps: string[];
  mean: [number, number, number];
  std: [number, number, number];
  scale: number;
  size?: number;
  id?: string;
  colour: 'RGB' | 'BGR';
  licence?: string;
  outDir?: string;
  /** Time the added model on this machine for the tuner's latency budget (default true; see manifest cost). */
  measureCost?: boolean;
  log?: (s: string) => void;
}

type Dims = import('onnx-proto').onnx.TensorShapeProto.IDimension[];

/** Run the model once on a mid-grey input of the given size; returns output dims by name. */
async function probe(bytes: Uint8Array, input: string, outputs: string[], h: number, w: number) {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const res = await session.run({
      [input]: new ort.Tensor('float32', new Float32Array(3 * h * w).fill(0.5), [1, 3, h, w]),
    });
    return new Map(outputs.map((o) => [o, res[o].dims.slice()]));
  } finally {
    await session.release();
  }
}

export async function addModel(o: AddOptions): Promise<ModelManifest> {
  const log = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const file = resolve(o.file);
  if (!existsSync(file)) throw new Error(`ONNX file ${file} does not exist`);
  if (o.taps.length === 0) throw new Error('give at least one tap: --taps <tensorA>,<tensorB> (see --list)');
  const id = o.id ?? basename(file).replace(/\.onnx$/i, '');
  if (!/^[A-Za-z0-9._-]+$/.test(id))
    throw new Error(`model id "${id}" may only hold letters, digits, '.', '_' and '-'; pass --id`);
  const sources = JSON.parse(readFileSync(join(here, 'sources.json'), 'utf8')).models ?? {};
  if (!o.outDir && id in sources)
    throw new Error(`model id ${id} is reserved for a prepared model (models/sources.json); pass another --id`);

  const original = new Uint8Array(readFileSync(file));
  const { model, inputName, originalInputType, notes } = exposeTaps(original, o.taps, file);
  const inputShape = (model.graph!.input ?? []).find((i) => i.name === inputName)!.type!.tensorType!.shape;
  if (!inputShape?.dim) throw new Error(`${file}: input ${inputName} declares no shape; expected [N,3,H,W]`);
  const dims: Dims = inputShape.dim;
  if (dims.length !== 4) throw new Error(`${file}: input ${inputName} has rank ${dims.length}; expected NCHW images`);
  const fixed = (d: Dims[number]) =>
    d.dimValue != null && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : undefined;
  if (fixed(dims[1]) !== undefined && fixed(dims[1]) !== 3)
    throw new Error(`${file}: input ${inputName} has ${fixed(dims[1])} channels; expected 3 (NCHW)`);
  const size = o.size ?? fixed(dims[2]);
  if (!size) throw new Error(`${file}: input ${inputName} has no fixed size; pass --size`);

  // Try symbolic H/W; keep the file's own dims if the truncated graph cannot take other sizes.
  const originalDims = dims.map((d) => ({ ...d }));
  dims[2] = { dimParam: 'height' };
  dims[3] = { dimParam: 'width' };
  let bytes = encodeModel(model);
  let dynamicSize = true;
  let shapes: Map<string, number[]>;
  try {
    shapes = await probe(bytes, inputName, o.taps, size, size);
    const bigger = await probe(bytes, inputName, o.taps, size + 32, size + 32);
    dynamicSize = o.taps.every((t) => bigger.get(t)![2] > shapes.get(t)![2]);
  } catch {
    dynamicSize = false;
  }
  if (!dynamicSize) {
    inputShape.dim = originalDims;
    bytes = encodeModel(model);
    try {
      shapes = await probe(bytes, inputName, o.taps, size, size);
    } catch (err) {
      throw new Error(
        `${file}: the truncated model does not run at ${size}×${size} (${(err as Error).message.split('\n')[0]})`,
      );
    }
  }

  const taps = o.taps.map((name) => {
    const d = shapes!.get(name)!;
    if (d.length !== 4) throw new Error(`${file}: tap ${name} has shape [${d}]; taps must be NCHW feature maps`);
    const [, channels, h, w] = d;
    return { name, channels, stride: 2 ** Math.round(Math.log2(size / h)), mapSize: [h, w] as [number, number] };
  });

  const outDir = o.outDir ?? join(here, 'generated');
  mkdirSync(outDir, { recursive: true });
  writeFileAtomicSync(join(outDir, `${id}.onnx`), bytes);
  const manifest: ModelManifest = {
    id,
    file: `${id}.onnx`,
    sha256: sha256Bytes(bytes),
    source: { note: `added with npm run model:add from ${basename(file)} (sha256 ${sha256Bytes(original)})` },
    licence: o.licence ?? `unknown: see where ${basename(file)} came from`,
    input: {
      name: inputName,
      layout: 'NCHW',
      size,
      dynamicSize,
      colour: o.colour,
      dtype: 'float32',
      scale: o.scale,
      mean: o.mean,
      std: o.std,
    },
    taps,
    created: new Date().toISOString(),
    producedBy: ADD_ID,
    notes: [`original input ${originalInputType}`, ...notes].join('; '),
  };
  if (o.measureCost !== false) manifest.cost = await measuredCost(join(outDir, `${id}.json`), manifest, log);
  writeManifest(join(outDir, `${id}.json`), manifest);
  log(
    `model:add wrote ${join(outDir, manifest.file)} (${(bytes.length / 1e6).toFixed(1)} MB, ${dynamicSize ? 'any input size' : `fixed ${size}×${size}`})`,
  );
  for (const t of taps) log(`  tap ${t.name}: ${t.channels} ch, stride ${t.stride}, ${t.mapSize.join('×')} at ${size}`);
  for (const n of notes) log(`  ${n}`);
  return manifest;
}

/** The new model's cost model, timed here: the self-tuning judges latency budgets on it. */
async function measuredCost(path: string, manifest: ModelManifest, log: (s: string) => void) {
  writeManifest(path, manifest);
  const backbone = await loadBackbone(path);
  try {
    const { knnMsPerPatchRow: _knn, ...cost } = await measureCaptureCost(backbone);
    log(
      `  cost: ${cost.fixedMs.toFixed(1)} ms + ${cost.msPerMegapixel.toFixed(0)} ms per input megapixel on this machine, besides the kNN search`,
    );
    return cost;
  } finally {
    await backbone.session.release();
  }
}

function triple(v: string | undefined, flag: string): [number, number, number] {
  const parts = (v ?? '').split(',').map((s) => number(s, flag));
  if (parts.length !== 3) throw new Error(`${flag} needs three comma-separated numbers (r,g,b), got "${v ?? ''}"`);
  return parts as [number, number, number];
}

/** Numbers may be written as fractions: 1/255. */
function number(s: string, flag: string): number {
  const [a, b] = s.trim().split('/');
  const v = b === undefined ? Number(a) : Number(a) / Number(b);
  if (!Number.isFinite(v) || s.trim() === '') throw new Error(`${flag}: "${s}" is not a number`);
  return v;
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      taps: { type: 'string' },
      mean: { type: 'string' },
      std: { type: 'string' },
      scale: { type: 'string' },
      size: { type: 'string' },
      id: { type: 'string' },
      colour: { type: 'string' },
      licence: { type: 'string' },
      'out-dir': { type: 'string' },
      list: { type: 'boolean' },
      'skip-cost': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1)
    throw new Error(
      'usage: npm run model:add -- <file.onnx> --taps a,b --mean r,g,b --std r,g,b [--scale 1/255] [--size 224] [--id name] [--colour RGB|BGR] [--list]',
    );
  const file = resolve(positionals[0]);
  if (values.list) {
    if (!existsSync(file)) throw new Error(`ONNX file ${file} does not exist`);
    const graph = decodeModel(readFileSync(file)).graph!;
    process.stdout.write(`input ${imageInput(graph, file).name}\n`);
    for (const t of listTensors(graph)) process.stdout.write(`${t.op.padEnd(24)} ${t.name}\n`);
    return;
  }
  if (!values.mean || !values.std)
    throw new Error('--mean r,g,b and --std r,g,b are required (the normalisation the model was trained with)');
  const colour = (values.colour ?? 'RGB').toUpperCase();
  if (colour !== 'RGB' && colour !== 'BGR') throw new Error(`--colour must be RGB or BGR, got ${values.colour}`);
  await addModel({
    file,
    taps: (values.taps ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    mean: triple(values.mean, '--mean'),
    std: triple(values.std, '--std'),
    scale: values.scale ? number(values.scale, '--scale') : 1 / 255,
    size: values.size ? number(values.size, '--size') : undefined,
    id: values.id,
    measureCost: !values['skip-cost'],
    colour,
    licence: values.licence,
    outDir: values['out-dir'],
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`model:add: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
