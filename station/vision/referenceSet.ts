/**
 * A reference set (the memory bank of good patches plus everything needed to score against it) and its
 * versioned binary form:
 *
 *   bytes 0..7   magic "BQAREFS\0"
 *   bytes 8..11  format version (uint32 LE)
 *   bytes 12..15 header length in bytes (uint32 LE)
 *   header       UTF-8 JSON: metadata, settings, and a table of float32 blocks {name, offset, count}
 *   padding      zeros up to a 16-byte boundary
 *   blocks       raw little-endian float32 arrays, each starting on a 16-byte boundary
 *
 * The header carries a sha256 of the block area, so a truncated or altered file is refused rather than
 * scored against. Float arrays round-trip bit-exactly.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { closedObject, issueLine, shown } from '../schema/format.ts';
import { itemRegionFromJson, itemRegionToJson, type ItemRegion } from './itemRegion.ts';
import { withFeatureDefaults, type EngineSettings } from './settings.ts';
import { RESIZE_MODES } from './types.ts';

export const REFERENCE_SET_FORMAT = 1;
const MAGIC = 'BQAREFS\0';
const ALIGN = 16;

/** Optional per-grid-location statistics of good patch scores (placeholder for location-aware tolerances). */
export interface LocationStats {
  gridW: number;
  gridH: number;
  mean: Float32Array;
  std: Float32Array;
}

export interface ReferenceSet {
  formatVersion: number;
  model: { id: string; sha256: string };
  settings: EngineSettings;
  dim: number;
  bankSize: number;
  /** Row-major [bankSize, dim]. */
  bank: Float32Array;
  /** Row-major [projectionShape[0], projectionShape[1]]: the reduction the features were made with. */
  projection: Float32Array;
  projectionShape: [number, number];
  /** The good images the set was built from, with their image embeddings (row-major [names.length, dim]). */
  images: { names: string[]; embeddings: Float32Array };
  coreset: { seed: number; size: number; sourcePatches: number };
  stats: LocationStats | null;
  createdAt: string;
  /** How the configuration was chosen (calibration's self-tuning summary: candidates, figures, reason); opaque here. */
  tuning?: object;
  /** Where the product's items can be in the frame (learned from its good images); absent: everywhere. */
  itemRegion?: ItemRegion;
}

const want = (what: string) => (iss: { input?: unknown }) => `must be ${what} (got ${shown(iss.input)})`;
const num = () => z.number({ error: want('a number') });
const text = () => z.string({ error: want('a string') });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => {
  const q = values.map((v) => `"${v}"`);
  return z.enum(values, { error: want(q.length > 1 ? `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}` : q[0]) });
};
const texts = () => z.array(text(), { error: want('a list of strings') });

const blockEntry = closedObject({ name: text(), offset: num(), count: num() });
type BlockEntry = z.output<typeof blockEntry>;

/**
 * The JSON header as encodeReferenceSet writes it. Settings keys follow DEFAULT_SETTINGS' order, the order the
 * engine writes them in, so a decoded set encodes to the same bytes.
 */
const headerSchema = closedObject(
  {
    formatVersion: num(),
    model: closedObject({ id: text(), sha256: text() }),
    settings: closedObject({
      size: num(),
      // aspect and roi are absent from sets written before they existed (withFeatureDefaults fills them).
      aspect: num().optional(),
      roi: closedObject({ x: num(), y: num(), width: num(), height: num() }).nullable().optional(),
      resize: oneOf(RESIZE_MODES),
      margin: num(),
      taps: texts(),
      poolSize: num(),
      dim: num(),
      reduction: oneOf(['random', 'average']),
      projectionSeed: num(),
      tapNorm: oneOf(['none', 'l2']),
      photometric: oneOf(['none', 'standardize']),
      sigma: num(),
    }),
    dim: num(),
    bankSize: num(),
    projectionShape: z.tuple([num(), num()], { error: want('[rows, columns]') }),
    coreset: closedObject({ seed: num(), size: num(), sourcePatches: num() }),
    createdAt: text(),
    // Calibration's self-tuning summary: opaque here, kept as written.
    tuning: z.record(z.string(), z.unknown(), { error: want('an object') }).optional(),
    itemRegion: closedObject({ width: num(), height: num(), rows: texts() }).optional(),
    images: closedObject({ names: texts() }),
    stats: closedObject({ gridW: num(), gridH: num() }).nullable(),
    blocks: z.array(blockEntry, { error: want('a list of blocks') }),
    dataSha256: text(),
  },
  'must be a JSON object',
);

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export function encodeReferenceSet(set: ReferenceSet): Uint8Array {
  const arrays: [string, Float32Array][] = [
    ['bank', set.bank],
    ['projection', set.projection],
    ['imageEmbeddings', set.images.embeddings],
  ];
  if (set.stats) arrays.push(['stats.mean', set.stats.mean], ['stats.std', set.stats.std]);
  const blocks: BlockEntry[] = [];
  let off = 0;
  for (const [name, a] of arrays) {
    blocks.push({ name, offset: off, count: a.length });
    off = align(off + a.byteLength);
  }
  const data = new Uint8Array(off);
  for (const [i, [, a]] of arrays.entries())
    data.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), blocks[i].offset);
  const { bank: _b, projection: _p, images, stats, itemRegion, ...meta } = set;
  const header = {
    ...meta,
    ...(itemRegion ? { itemRegion: itemRegionToJson(itemRegion) } : {}),
    formatVersion: REFERENCE_SET_FORMAT,
    images: { names: images.names },
    stats: stats ? { gridW: stats.gridW, gridH: stats.gridH } : null,
    blocks,
    dataSha256: createHash('sha256').update(data).digest('hex'),
  };
  const hbytes = new TextEncoder().encode(JSON.stringify(header));
  const start = align(16 + hbytes.length);
  const out = new Uint8Array(start + data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, REFERENCE_SET_FORMAT, true);
  dv.setUint32(12, hbytes.length, true);
  out.set(hbytes, 16);
  out.set(data, start);
  return out;
}

export interface DecodeOptions {
  /** Name for error messages, e.g. the file path. */
  source?: string;
  /** Refuse a set built with another backbone. */
  expectedModel?: { id: string; sha256: string };
}

export function decodeReferenceSet(bytes: Uint8Array, opts: DecodeOptions = {}): ReferenceSet {
  const src = opts.source ?? 'reference set';
  const rebuild = 'rebuild it from the good images (npm run calibrate)';
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`${src}: not a reference set file (bad magic bytes)`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== REFERENCE_SET_FORMAT) {
    throw new Error(
      `${src}: reference set format version ${version} is not supported (this station reads version ${REFERENCE_SET_FORMAT}); ${rebuild}`,
    );
  }
  const hlen = dv.getUint32(12, true);
  if (16 + hlen > bytes.length)
    throw new Error(`${src}: reference set is truncated (header runs past the end); ${rebuild}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen)));
  } catch {
    throw new Error(`${src}: reference set header is not valid JSON; ${rebuild}`);
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${issueLine(`${src} → header`, parsed.error)}; ${rebuild}`);
  const header = parsed.data;
  const data = bytes.subarray(align(16 + hlen));
  if (createHash('sha256').update(data).digest('hex') !== header.dataSha256) {
    throw new Error(`${src}: reference set data is damaged or truncated (checksum mismatch); ${rebuild}`);
  }
  if (opts.expectedModel && header.model.sha256 !== opts.expectedModel.sha256) {
    throw new Error(
      `${src}: reference set was built with backbone ${header.model.id} (sha256 ${header.model.sha256.slice(0, 12)}…) ` +
        `but the station runs ${opts.expectedModel.id} (sha256 ${opts.expectedModel.sha256.slice(0, 12)}…); ${rebuild}`,
    );
  }
  const block = (name: string): Float32Array => {
    const b = header.blocks.find((x) => x.name === name);
    if (!b) throw new Error(`${src}: reference set lacks the "${name}" block; ${rebuild}`);
    if (b.offset + b.count * 4 > data.length) throw new Error(`${src}: block "${name}" runs past the end; ${rebuild}`);
    // Copy into a fresh, aligned buffer: bit-exact and independent of the input bytes. (Not `data.slice(…).buffer`:
    // on a Node Buffer, slice is a view and .buffer is the whole, possibly shared and misaligned, allocation.)
    const out = new Float32Array(b.count);
    new Uint8Array(out.buffer).set(data.subarray(b.offset, b.offset + b.count * 4));
    return out;
  };
  const set: ReferenceSet = {
    formatVersion: version,
    model: header.model,
    settings: withFeatureDefaults(header.settings),
    dim: header.dim,
    bankSize: header.bankSize,
    bank: block('bank'),
    projection: block('projection'),
    projectionShape: header.projectionShape,
    images: { names: header.images.names, embeddings: block('imageEmbeddings') },
    coreset: header.coreset,
    stats: header.stats ? { ...header.stats, mean: block('stats.mean'), std: block('stats.std') } : null,
    createdAt: header.createdAt,
    ...(header.tuning ? { tuning: header.tuning } : {}),
    ...(header.itemRegion ? { itemRegion: itemRegionFromJson(header.itemRegion) } : {}),
  };
  if (set.bank.length !== set.bankSize * set.dim) {
    throw new Error(`${src}: bank holds ${set.bank.length} values, expected ${set.bankSize}×${set.dim}; ${rebuild}`);
  }
  return set;
}
