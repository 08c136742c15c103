/**
 * A reference set (the memory bank of good patches plus everything needed to score against it and judge by it)
 * and its versioned binary form:
 *
 *   bytes 0..7   magic "BQAREFS\0"
 *   bytes 8..11  format version (uint32 LE)
 *   bytes 12..15 header length in bytes (uint32 LE)
 *   header       UTF-8 JSON: metadata, settings, judging, and a table of float32 blocks {name, offset, count}
 *   padding      zeros up to a 16-byte boundary
 *   blocks       raw little-endian float32 arrays, each starting on a 16-byte boundary
 *
 * Format 2 (written): the header's keys are sorted and `sha256` covers the header without itself plus the block
 * area, so a changed tolerance band is refused like a changed bank. Its `judging` (product, tolerance band, score
 * model) makes a calibrated set one file that can be copied to another bench. Format 1 (still read): the checksum
 * `dataSha256` covers the blocks only; the band and score model live in the station's database row.
 * A set that combines two configurations (score model 'pair') carries its second member as `partner`: that set's
 * own header fields, and its blocks named "partner.<block>" in the same block area, under the same checksum.
 * Float arrays round-trip bit-exactly.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { closedObject, issueLine, mustBe } from '../schema/format.ts';
import { roiSchema } from '../schema/roi.ts';
import type { ToleranceBand } from '../verdict/bands.ts';
import type { ScoreModel } from '../verdict/scoreModel.ts';
import { itemRegionFromJson, itemRegionToJson, type ItemRegion } from './itemRegion.ts';
import { withFeatureDefaults, type EngineSettings } from './settings.ts';
import { POSES } from './pose.ts';
import { RESIZE_MODES } from './types.ts';

export const REFERENCE_SET_FORMAT = 2;
/** Formats this station decodes and scores against (1: band and score model in the database row). */
export const READABLE_FORMATS: readonly number[] = [1, 2];
const MAGIC = 'BQAREFS\0';
const ALIGN = 16;

/** How a calibrated set judges: the product it belongs to, its tolerance band and the score the band applies to. */
export interface ReferenceSetJudging {
  productId: string;
  band: ToleranceBand;
  scoreModel: ScoreModel;
}

export interface ReferenceSet {
  formatVersion: number;
  model: { id: string; sha256: string };
  settings: EngineSettings;
  dim: number;
  bankSize: number;
  /** Row-major [bankSize, dim]. */
  bank: Float32Array;
  /** Which of images.names each bank row came from. Kept in memory by a build, not in the file (see withoutImages). */
  bankImages?: Int32Array;
  /** Row-major [projectionShape[0], projectionShape[1]]: the reduction the features were made with. */
  projection: Float32Array;
  projectionShape: [number, number];
  /** The good images the set was built from, with their image embeddings (row-major [names.length, dim]). */
  images: { names: string[]; embeddings: Float32Array };
  coreset: { seed: number; size: number; sourcePatches: number };
  createdAt: string;
  /** How the configuration was chosen (calibration's self-tuning summary: candidates, figures, reason); opaque here. */
  tuning?: object;
  /** Where the product's items can be in the frame (learned from its good images); absent: everywhere. */
  itemRegion?: ItemRegion;
  /** Set by calibration (format 2); absent in format-1 files and in sets not yet calibrated. */
  judging?: ReferenceSetJudging;
  /** The second configuration of a pair (format 2): scored beside this one, judged by the two combined. */
  partner?: PartnerSet;
}

/** A pair's second member: how it looks at an item (its backbone, settings, bank), never how the pair judges. */
export type PartnerSet = Omit<ReferenceSet, 'formatVersion' | 'tuning' | 'judging' | 'partner'>;

const num = () => z.number({ error: mustBe('a number') });
const text = () => z.string({ error: mustBe('a string') });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => {
  const q = values.map((v) => `"${v}"`);
  return z.enum(values, { error: mustBe(q.length > 1 ? `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}` : q[0]) });
};
const texts = () => z.array(text(), { error: mustBe('a list of strings') });
const nums = () => z.array(num(), { error: mustBe('a list of numbers') });
const pair = () => z.tuple([num(), num()], { error: mustBe('[low, high]') });

const blockEntry = closedObject({ name: text(), offset: num(), count: num() });
type BlockEntry = z.output<typeof blockEntry>;

const bandSchema = closedObject({
  reviewAt: num(),
  failAt: num(),
  intervals: closedObject({ reviewAt: pair(), failAt: pair() }),
  n: num(),
  rates: closedObject({ failRate: num(), reviewRate: num() }),
  method: closedObject({
    estimator: text(),
    reviewAt: oneOf(['empirical', 'exponential-tail']),
    failAt: oneOf(['empirical', 'exponential-tail', 'interval-upper']),
    bootstrap: num(),
    seed: num(),
  }),
  scoreKind: oneOf(['raw', 'top-share', 'region-normalised', 'combined']),
  warnings: texts(),
});

const regionSchema = closedObject({
  name: text().optional(),
  x: num(),
  y: num(),
  w: num(),
  h: num(),
  tolerance: num().optional(),
  ignore: z.boolean({ error: mustBe('true or false') }).optional(),
});

const scoreModelSchema = z.discriminatedUnion(
  'kind',
  [
    closedObject({ kind: z.literal('raw') }),
    closedObject({ kind: z.literal('top'), topShare: num() }),
    closedObject({
      kind: z.literal('pair'),
      members: z.array(closedObject({ topShare: num(), centre: num(), spread: num() }), {
        error: mustBe('a list of members'),
      }),
    }),
    closedObject({
      kind: z.literal('region'),
      gridW: num(),
      gridH: num(),
      stats: closedObject({ mean: nums(), std: nums(), n: num() }).optional(),
      regions: z.array(regionSchema, { error: mustBe('a list of regions') }).optional(),
      topShare: num().optional(),
    }),
  ],
  { error: mustBe('a score model of kind "raw", "top", "region" or "pair"') },
);

const judgingSchema = closedObject({ productId: text(), band: bandSchema, scoreModel: scoreModelSchema });

/**
 * A score model stored outside a file (a format-1 version's database row), checked as strictly as the file's.
 * Throws "<where> → <field>: must be …".
 */
export function scoreModelFromJson(value: unknown, where: string): ScoreModel {
  const parsed = scoreModelSchema.safeParse(value);
  if (!parsed.success) throw new Error(issueLine(where, parsed.error));
  return parsed.data;
}

/** How a set looks at an item: header fields a pair's partner carries too. Aspect and roi are absent from sets written before they existed. */
const lookShape = {
  model: closedObject({ id: text(), sha256: text() }),
  settings: closedObject({
    size: num(),
    aspect: num().optional(),
    roi: roiSchema.nullable().optional(),
    resize: oneOf(RESIZE_MODES),
    margin: num(),
    taps: texts(),
    poolSize: num(),
    dim: num(),
    reduction: oneOf(['random', 'average']),
    projectionSeed: num(),
    tapNorm: oneOf(['none', 'l2']),
    photometric: oneOf(['none', 'standardize']),
    pose: oneOf(POSES).optional(),
    sigma: num(),
  }),
  dim: num(),
  bankSize: num(),
  projectionShape: z.tuple([num(), num()], { error: mustBe('[rows, columns]') }),
  coreset: closedObject({ seed: num(), size: num(), sourcePatches: num() }),
  createdAt: text(),
  itemRegion: closedObject({ width: num(), height: num(), rows: texts() }).optional(),
  images: closedObject({ names: texts() }),
};

const lookSchema = closedObject(lookShape);

/** Header fields both formats share. */
const commonShape = {
  ...lookShape,
  formatVersion: num(),
  // Calibration's self-tuning summary: opaque here, kept as written.
  tuning: z.record(z.string(), z.unknown(), { error: mustBe('an object') }).optional(),
  blocks: z.array(blockEntry, { error: mustBe('a list of blocks') }),
};

/** Format 1: `stats` (per-location statistics, never filled) is accepted and ignored; the checksum covers the blocks. */
const headerV1 = closedObject(
  { ...commonShape, stats: closedObject({ gridW: num(), gridH: num() }).nullable(), dataSha256: text() },
  'must be a JSON object',
);

/** Format 2: `sha256` covers the canonical header without itself, then the block area. */
const headerV2 = closedObject(
  { ...commonShape, judging: judgingSchema.optional(), partner: lookSchema.optional(), sha256: text() },
  'must be a JSON object',
);

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** JSON with every object's keys sorted (undefined fields left out): one spelling per header, so one checksum. */
function canonicalJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  };
  return JSON.stringify(sortKeys(value));
}

/** The format-2 checksum: the canonical header (without its checksum field), a zero byte, the block area. */
function headerAndDataSha256(header: Record<string, unknown>, data: Uint8Array): string {
  return createHash('sha256')
    .update(canonicalJson(header))
    .update(new Uint8Array([0]))
    .update(data)
    .digest('hex');
}

/** A set's float blocks, named with a prefix ("partner." for a pair's second member). */
const blocksOf = (set: PartnerSet, prefix = ''): [string, Float32Array][] => [
  [`${prefix}bank`, set.bank],
  [`${prefix}projection`, set.projection],
  [`${prefix}imageEmbeddings`, set.images.embeddings],
];

/** The header fields of how a set looks at an item (see lookShape). */
const lookHeader = (set: PartnerSet): Record<string, unknown> => ({
  model: set.model,
  settings: set.settings,
  dim: set.dim,
  bankSize: set.bankSize,
  projectionShape: set.projectionShape,
  coreset: set.coreset,
  createdAt: set.createdAt,
  itemRegion: set.itemRegion ? itemRegionToJson(set.itemRegion) : undefined,
  images: { names: set.images.names },
});

export function encodeReferenceSet(set: ReferenceSet): Uint8Array {
  const arrays = [...blocksOf(set), ...(set.partner ? blocksOf(set.partner, 'partner.') : [])];
  const blocks: BlockEntry[] = [];
  let off = 0;
  for (const [name, a] of arrays) {
    blocks.push({ name, offset: off, count: a.length });
    off = align(off + a.byteLength);
  }
  const data = new Uint8Array(off);
  for (const [i, [, a]] of arrays.entries())
    data.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), blocks[i].offset);
  const header: Record<string, unknown> = {
    ...lookHeader(set),
    formatVersion: REFERENCE_SET_FORMAT,
    tuning: set.tuning,
    judging: set.judging,
    partner: set.partner ? lookHeader(set.partner) : undefined,
    blocks,
  };
  const sha256 = headerAndDataSha256(header, data);
  const hbytes = new TextEncoder().encode(canonicalJson({ ...header, sha256 }));
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

const REBUILD = 'rebuild it from the good images (npm run calibrate)';

type Header = z.output<typeof headerV1> | z.output<typeof headerV2>;

/** The header of either format, checked field by field and against its checksum. */
function checkedHeader(json: unknown, version: number, data: Uint8Array, src: string): Header {
  const damaged = `${src}: reference set data is damaged or truncated (checksum mismatch); ${REBUILD}`;
  if (version === 1) {
    const parsed = headerV1.safeParse(json);
    if (!parsed.success) throw new Error(`${issueLine(`${src} → header`, parsed.error)}; ${REBUILD}`);
    if (createHash('sha256').update(data).digest('hex') !== parsed.data.dataSha256) throw new Error(damaged);
    return parsed.data;
  }
  const parsed = headerV2.safeParse(json);
  if (!parsed.success) throw new Error(`${issueLine(`${src} → header`, parsed.error)}; ${REBUILD}`);
  // The checksum is over the header as written (parsed, not as the schema reshaped it), without the checksum.
  const { sha256: _s, ...written } = json as Record<string, unknown>;
  if (headerAndDataSha256(written, data) !== parsed.data.sha256) throw new Error(damaged);
  const judging = parsed.data.judging;
  if (judging && !(judging.band.reviewAt <= judging.band.failAt))
    throw new Error(
      `${src} → header → judging → band: reviewAt (${judging.band.reviewAt}) must not exceed failAt (${judging.band.failAt}); ${REBUILD}`,
    );
  if (judging && (judging.scoreModel.kind === 'pair') !== Boolean(parsed.data.partner))
    throw new Error(
      `${src}: ${parsed.data.partner ? 'carries a partner set but does not judge a pair' : 'judges a pair but carries no partner set'}; ${REBUILD}`,
    );
  return parsed.data;
}

/** The magic, the format version and the header's JSON; the block area follows the header. */
function framing(bytes: Uint8Array, src: string): { version: number; json: unknown; data: Uint8Array } {
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`${src}: not a reference set file (bad magic bytes)`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (!READABLE_FORMATS.includes(version)) {
    throw new Error(
      `${src}: reference set format version ${version} is not supported (this station reads versions ${READABLE_FORMATS.join(' and ')}); ${REBUILD}`,
    );
  }
  const hlen = dv.getUint32(12, true);
  if (16 + hlen > bytes.length)
    throw new Error(`${src}: reference set is truncated (header runs past the end); ${REBUILD}`);
  try {
    return {
      version,
      json: JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen))),
      data: bytes.subarray(align(16 + hlen)),
    };
  } catch {
    throw new Error(`${src}: reference set header is not valid JSON; ${REBUILD}`);
  }
}

/** One member's set from its header fields and its (prefixed) blocks. */
function lookOf(
  h: z.output<typeof lookSchema>,
  block: (name: string) => Float32Array,
  prefix: string,
  src: string,
): PartnerSet {
  const set: PartnerSet = {
    model: h.model,
    settings: withFeatureDefaults(h.settings),
    dim: h.dim,
    bankSize: h.bankSize,
    bank: block(`${prefix}bank`),
    projection: block(`${prefix}projection`),
    projectionShape: h.projectionShape,
    images: { names: h.images.names, embeddings: block(`${prefix}imageEmbeddings`) },
    coreset: h.coreset,
    createdAt: h.createdAt,
    ...(h.itemRegion ? { itemRegion: itemRegionFromJson(h.itemRegion) } : {}),
  };
  if (set.bank.length !== set.bankSize * set.dim) {
    throw new Error(
      `${src}: ${prefix}bank holds ${set.bank.length} values, expected ${set.bankSize}×${set.dim}; ${REBUILD}`,
    );
  }
  return set;
}

export function decodeReferenceSet(bytes: Uint8Array, opts: DecodeOptions = {}): ReferenceSet {
  const src = opts.source ?? 'reference set';
  const { version, json, data } = framing(bytes, src);
  const header = checkedHeader(json, version, data, src);
  if (opts.expectedModel && header.model.sha256 !== opts.expectedModel.sha256) {
    throw new Error(
      `${src}: reference set was built with backbone ${header.model.id} (sha256 ${header.model.sha256.slice(0, 12)}…) ` +
        `but the station runs ${opts.expectedModel.id} (sha256 ${opts.expectedModel.sha256.slice(0, 12)}…); ${REBUILD}`,
    );
  }
  const block = (name: string): Float32Array => {
    const b = header.blocks.find((x) => x.name === name);
    if (!b) throw new Error(`${src}: reference set lacks the "${name}" block; ${REBUILD}`);
    if (b.offset + b.count * 4 > data.length) throw new Error(`${src}: block "${name}" runs past the end; ${REBUILD}`);
    // Copy into a fresh, aligned buffer: bit-exact and independent of the input bytes. (Not `data.slice(…).buffer`:
    // on a Node Buffer, slice is a view and .buffer is the whole, possibly shared and misaligned, allocation.)
    const out = new Float32Array(b.count);
    new Uint8Array(out.buffer).set(data.subarray(b.offset, b.offset + b.count * 4));
    return out;
  };
  const judging = 'judging' in header ? header.judging : undefined;
  const partner = 'partner' in header && header.partner ? lookOf(header.partner, block, 'partner.', src) : undefined;
  return {
    ...lookOf(header, block, '', src),
    formatVersion: version,
    ...(header.tuning ? { tuning: header.tuning } : {}),
    ...(judging ? { judging } : {}),
    ...(partner ? { partner } : {}),
  };
}

/** A pair's second member as a reference set of its own (what its engine scores against); null for a single set. */
export const partnerSet = (set: ReferenceSet): ReferenceSet | null =>
  set.partner ? { ...set.partner, formatVersion: set.formatVersion } : null;

/** The backbones a set runs on: its own, and its partner's for a pair. */
export const backbonesOf = (set: ReferenceSet): { id: string; sha256: string }[] =>
  set.partner ? [set.model, set.partner.model] : [set.model];
