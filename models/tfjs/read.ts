/**
 * Reads a TensorFlow.js *layers* model as nsfwjs ships it: `model.min.js` (a UMD module exporting
 * {modelTopology, weightsManifest}) and `group1-shard*.min.js` (each exporting a base64 string of the
 * weight bytes). Weights are dequantized the way tfjs-core's io_utils does it: value = q * scale + min.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, any>;
  /** inbound_nodes[0] = [[layerName, nodeIndex, tensorIndex, kwargs], ...] */
  inbound_nodes: Array<Array<[string, number, number, Record<string, unknown>?]>>;
}

export interface KerasModel {
  name: string;
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
  kerasVersion?: string;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min?: number; scale?: number; dtype: string };
}

export interface TfjsLayersModel {
  /** The raw objects, for handing to tfjs itself (parity tests). */
  topology: Record<string, any>;
  weightSpecs: WeightSpec[];
  weightBytes: Uint8Array;
  model: KerasModel;
  /** Dequantized float32 weights by name. */
  weights: Map<string, { shape: number[]; data: Float32Array }>;
}

function loadModule(file: string): unknown {
  if (!existsSync(file)) {
    throw new Error(`tfjs model file ${file} is missing; reinstall the package that ships it (npm ci)`);
  }
  return require(file);
}

/** Load the topology and all shards of a tfjs layers model directory (nsfwjs UMD layout). */
export function readTfjsLayersModel(dir: string): TfjsLayersModel {
  const mod = loadModule(join(dir, 'model.min.js')) as { modelTopology?: any; weightsManifest?: any[] };
  if (!mod?.modelTopology || !Array.isArray(mod.weightsManifest)) {
    throw new Error(`${join(dir, 'model.min.js')} does not export {modelTopology, weightsManifest}`);
  }
  const topology = mod.modelTopology;
  const cfg = topology.model_config ?? topology;
  if (cfg.class_name !== 'Model' && cfg.class_name !== 'Functional') {
    throw new Error(`${dir}: only Keras functional models are supported, found ${cfg.class_name}`);
  }
  const model: KerasModel = {
    name: cfg.config.name,
    layers: cfg.config.layers,
    inputs: cfg.config.input_layers.map((x: [string]) => x[0]),
    outputs: cfg.config.output_layers.map((x: [string]) => x[0]),
    kerasVersion: topology.keras_version,
  };

  const weightSpecs: WeightSpec[] = [];
  const chunks: Buffer[] = [];
  for (const group of mod.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths as string[]) {
      const shard = loadModule(join(dir, `${p}.min.js`));
      if (typeof shard !== 'string') throw new Error(`${join(dir, p)}.min.js does not export a base64 string`);
      chunks.push(Buffer.from(shard, 'base64'));
    }
  }
  const weightBytes = new Uint8Array(Buffer.concat(chunks));
  const weights = dequantize(weightSpecs, weightBytes, dir);
  return { topology, weightSpecs, weightBytes, model, weights };
}

/** Walk the concatenated shard bytes in manifest order, as tfjs-core's decodeWeights does. */
function dequantize(specs: WeightSpec[], bytes: Uint8Array, dir: string) {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const q = spec.quantization;
    if (spec.dtype !== 'float32')
      throw new Error(`${dir}: weight ${spec.name} has dtype ${spec.dtype}; only float32 is supported`);
    if (!q) {
      data.set(new Float32Array(bytes.slice(offset, offset + size * 4).buffer));
      offset += size * 4;
    } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
      if (q.min === undefined || q.scale === undefined)
        throw new Error(`${dir}: weight ${spec.name} lacks quantization min/scale`);
      const width = q.dtype === 'uint8' ? 1 : 2;
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size * width);
      for (let i = 0; i < size; i++) {
        const v = width === 1 ? view.getUint8(i) : view.getUint16(i * 2, true);
        data[i] = v * q.scale + q.min;
      }
      offset += size * width;
    } else {
      throw new Error(`${dir}: weight ${spec.name} uses quantization ${q.dtype}; only uint8/uint16 are supported`);
    }
    if (offset > bytes.length)
      throw new Error(`${dir}: weight shards are shorter than the manifest says (at ${spec.name})`);
    out.set(spec.name, { shape: spec.shape, data });
  }
  if (offset !== bytes.length)
    throw new Error(`${dir}: weight shards hold ${bytes.length} bytes, manifest describes ${offset}`);
  return out;
}
