/**
 * The inspection engine: image → patch embedding → nearest-neighbour distances to a reference set → anomaly map
 * and image score. One backbone ONNX session is reused for every image; the feature head and the kNN graph are
 * small ONNX sessions built in code (the kNN one per reference set, cached).
 */
import * as ort from 'onnxruntime-node';
import type { FeatureTap, ModelManifest } from '../../models/manifest.ts';
import { buildAnomalyMap } from './anomalyMap.ts';
import { augmentedViews, type Augmentation } from './augment.ts';
import { greedyCoreset, type CoresetOptions } from './coreset.ts';
import { createHeadSession, reductionMatrix, type TapShape } from './featureHead.ts';
import { scoredCells, type ItemRegion } from './itemRegion.ts';
import { OrtNearest } from './knn.ts';
import { levelImage, mapToPhoto, photoPose } from './pose.ts';
import { decodeImage, toInputTensor } from './preprocess.ts';
import { READABLE_FORMATS, REFERENCE_SET_FORMAT, type ReferenceSet } from './referenceSet.ts';
import {
  featureDifferences,
  featureSettings,
  resolveSettings,
  validateSettings,
  type EngineSettings,
} from './settings.ts';
import type {
  AnomalyMap,
  DecodedImage,
  GridPlacement,
  InputTensor,
  InspectionTimings,
  PatchEmbedding,
  ScoreResult,
} from './types.ts';

export interface BackboneHandle {
  session: ort.InferenceSession;
  manifest: ModelManifest;
}

export interface BuildOptions {
  /** Bank size after greedy coreset subsampling (all patches are kept if there are fewer). */
  coresetSize: number;
  seed: number;
  /** Dimension the coreset selection works in (default 32). */
  selectionDim?: number;
  /** Augmented views of each image (aligned with the images): their patches join the bank, they are not images of the set. */
  views?: PatchEmbedding[][];
  /** Where the product's items can be in the frame: patches elsewhere (the bench) are not scored. */
  itemRegion?: ItemRegion | null;
}

/**
 * Chooses the coreset rows of [n, dim] features (vision/coreset.ts greedyCoreset's contract): a caller may run it
 * elsewhere, e.g. on a worker thread, since the features sit in shared memory.
 */
export type CoresetSelect = (
  features: Float32Array,
  n: number,
  dim: number,
  opts: CoresetOptions,
) => Promise<Int32Array>;

export interface InspectResult extends ScoreResult {
  timings: InspectionTimings;
  embedding: PatchEmbedding;
}

export interface Engine {
  readonly manifest: ModelManifest;
  readonly settings: EngineSettings;
  /** Fit a decoded image into the model input. */
  preprocess(img: DecodedImage): Promise<InputTensor>;
  embed(input: InputTensor): Promise<PatchEmbedding>;
  /** decode → preprocess → embed, for building reference sets from image files. */
  embedImage(buf: Uint8Array, name: string): Promise<PatchEmbedding>;
  /** The augmented views of a decoded image, embedded (none for 'none'): they join a bank beside the image. */
  embedViews(img: DecodedImage, augment: Augmentation): Promise<PatchEmbedding[]>;
  buildReferenceSet(embeddings: PatchEmbedding[], names: string[], opts: BuildOptions): ReferenceSet;
  /** The same set, its coreset chosen by `select` (see CoresetSelect). */
  buildReferenceSetWith(
    select: CoresetSelect,
    embeddings: PatchEmbedding[],
    names: string[],
    opts: BuildOptions,
  ): Promise<ReferenceSet>;
  score(embedding: PatchEmbedding, set: ReferenceSet): Promise<ScoreResult>;
  inspect(buf: Uint8Array, name: string, set: ReferenceSet): Promise<InspectResult>;
  /** Same as inspect, for an image already decoded (e.g. a camera frame). */
  inspectDecoded(img: DecodedImage, set: ReferenceSet, decodeMs?: number): Promise<InspectResult>;
  /** Release the sessions the engine made (not the backbone session, which the caller owns). */
  release(): Promise<void>;
}

/** Where the finest tap's cells sit on the input (see GridPlacement). */
function placement(gridW: number, gridH: number, stride: number, input: InputTensor): GridPlacement {
  return { stride, x0: (input.width - gridW * stride) / 2, y0: (input.height - gridH * stride) / 2 };
}

function contentMaskFor(gridW: number, gridH: number, cells: GridPlacement, input: InputTensor): Uint8Array {
  const { content: c } = input.geometry;
  const mask = new Uint8Array(gridW * gridH);
  for (let y = 0; y < gridH; y++) {
    const cy = cells.y0 + (y + 0.5) * cells.stride;
    for (let x = 0; x < gridW; x++) {
      const cx = cells.x0 + (x + 0.5) * cells.stride;
      mask[y * gridW + x] = cx >= c.x && cx < c.x + c.width && cy >= c.y && cy < c.y + c.height ? 1 : 0;
    }
  }
  // A sliver of content narrower than a cell still gets its nearest cell.
  if (!mask.includes(1)) {
    const gx = Math.min(gridW - 1, Math.max(0, Math.floor((c.x + c.width / 2 - cells.x0) / cells.stride)));
    const gy = Math.min(gridH - 1, Math.max(0, Math.floor((c.y + c.height / 2 - cells.y0) / cells.stride)));
    mask[gy * gridW + gx] = 1;
  }
  return mask;
}

/**
 * Nearest-neighbour distances of the content cells only (padding is never scored: with a 4:3 frame in a square
 * input that saves a quarter of the kNN work). Padding cells copy the nearest content cell, so upsampling near
 * the content border does not blend in a made-up value.
 */
async function contentDistances(nn: OrtNearest, e: PatchEmbedding): Promise<Float32Array> {
  const { gridW, gridH, dim, contentMask } = e;
  const cells = gridW * gridH;
  let count = 0;
  let x0 = gridW,
    y0 = gridH,
    x1 = -1,
    y1 = -1;
  for (let p = 0; p < cells; p++) {
    if (!contentMask[p]) continue;
    count++;
    const x = p % gridW,
      y = (p - x) / gridW;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (count === cells) return (await nn.nearest(e.patches, cells)).distances;
  const q = new Float32Array(count * dim);
  const rows = new Int32Array(count);
  for (let p = 0, r = 0; p < cells; p++) {
    if (!contentMask[p]) continue;
    q.set(e.patches.subarray(p * dim, (p + 1) * dim), r * dim);
    rows[r++] = p;
  }
  const d = (await nn.nearest(q, count)).distances;
  const out = new Float32Array(cells);
  for (let r = 0; r < count; r++) out[rows[r]] = d[r];
  for (let y = 0; y < gridH; y++) {
    for (let x = 0; x < gridW; x++) {
      const p = y * gridW + x;
      if (contentMask[p]) continue;
      out[p] = out[Math.min(y1, Math.max(y0, y)) * gridW + Math.min(x1, Math.max(x0, x))];
    }
  }
  return out;
}

/** The manifest's entries for the taps the settings name. */
function tapsOf(manifest: ModelManifest, settings: EngineSettings): FeatureTap[] {
  return settings.taps.map((name) => {
    const t = manifest.taps.find((x) => x.name === name);
    if (!t)
      throw new Error(
        `engine settings: tap "${name}" is not an output of model ${manifest.id} (it has ${manifest.taps.map((x) => x.name).join(', ')})`,
      );
    return t;
  });
}

/** Refuses a reference set this engine cannot score against: another format, backbone, feature settings or projection. */
function checkReferenceSet(
  set: ReferenceSet,
  manifest: ModelManifest,
  settings: EngineSettings,
  projection: Float32Array,
): void {
  if (!READABLE_FORMATS.includes(set.formatVersion))
    throw new Error(`reference set format ${set.formatVersion} is not supported; rebuild it`);
  if (set.model.sha256 !== manifest.sha256) {
    throw new Error(
      `reference set was built with backbone ${set.model.id} (sha256 ${set.model.sha256.slice(0, 12)}…) but this engine runs ` +
        `${manifest.id} (sha256 ${manifest.sha256.slice(0, 12)}…); rebuild the reference set (npm run calibrate)`,
    );
  }
  const diff = featureDifferences(set.settings, settings);
  if (diff.length)
    throw new Error(
      `reference set was built with other feature settings (${diff.join('; ')}); create the engine with the set's settings or rebuild the set`,
    );
  if (set.projection.length !== projection.length || !set.projection.every((v, i) => v === projection[i])) {
    throw new Error(
      "reference set projection differs from this engine's (same settings, different build); rebuild the reference set",
    );
  }
}

/** The image's own embedding: the mean feature of its content cells (padding left out). */
function meanContentEmbedding(
  patches: Float32Array,
  contentMask: Uint8Array,
  cells: number,
  dim: number,
): Float32Array {
  const imageEmbedding = new Float32Array(dim);
  let count = 0;
  for (let p = 0; p < cells; p++) {
    if (!contentMask[p]) continue;
    count++;
    for (let k = 0; k < dim; k++) imageEmbedding[k] += patches[p * dim + k];
  }
  for (let k = 0; k < dim; k++) imageEmbedding[k] /= count;
  return imageEmbedding;
}

/**
 * Every content patch of the good images (then of their views, in image order), one row each: what the coreset
 * chooses from; `owner` is the image each row came from.
 */
function contentPatches(
  embeddings: PatchEmbedding[],
  views: PatchEmbedding[][] | undefined,
  names: string[],
  dim: number,
): { all: Float32Array; owner: Int32Array; total: number } {
  const sources = [
    ...embeddings.map((e, i) => ({ e, image: i })),
    ...(views ?? []).flatMap((vs, i) => vs.map((e) => ({ e, image: i }))),
  ];
  let total = 0;
  for (const { e, image } of sources) {
    if (e.dim !== dim)
      throw new Error(
        `reference set: ${names[image]}${e === embeddings[image] ? '' : ' (an augmented view)'} has feature dim ${e.dim}, engine uses ${dim}`,
      );
    for (let p = 0; p < e.contentMask.length; p++) total += e.contentMask[p];
  }
  // Shared memory, so a coreset selection on another thread reads the rows without a copy.
  const all = new Float32Array(new SharedArrayBuffer(total * dim * Float32Array.BYTES_PER_ELEMENT));
  const owner = new Int32Array(total);
  let row = 0;
  for (const { e, image } of sources) {
    for (let p = 0; p < e.contentMask.length; p++) {
      if (!e.contentMask[p]) continue;
      all.set(e.patches.subarray(p * dim, (p + 1) * dim), row * dim);
      owner[row++] = image;
    }
  }
  return { all, owner, total };
}

/** The memory bank: the chosen rows, contiguous, in selection order. */
function bankOf(all: Float32Array, chosen: Int32Array, dim: number): Float32Array {
  const bank = new Float32Array(chosen.length * dim);
  for (const [i, r] of chosen.entries()) bank.set(all.subarray(r * dim, (r + 1) * dim), i * dim);
  return bank;
}

/** The feature-head session for each input size met (keyed by the taps' map sizes), made on first use. */
function headSessions(settings: EngineSettings, projection: Float32Array) {
  const heads = new Map<string, Promise<ort.InferenceSession>>();
  return {
    get(shapes: TapShape[]): Promise<ort.InferenceSession> {
      const key = shapes.map((s) => `${s.height}x${s.width}`).join(',');
      let h = heads.get(key);
      if (!h) {
        h = createHeadSession(shapes, settings, projection, settings.threads);
        heads.set(key, h);
      }
      return h;
    },
    async release(): Promise<void> {
      for (const h of heads.values()) await (await h).release();
      heads.clear();
    },
  };
}

/** The kNN session of each reference set, made on first use and cached while the set lives. */
function nearestSessions(settings: EngineSettings) {
  const nearest = new WeakMap<ReferenceSet, Promise<OrtNearest>>();
  const all: Promise<OrtNearest>[] = [];
  return {
    get(set: ReferenceSet): Promise<OrtNearest> {
      let n = nearest.get(set);
      if (!n) {
        n = OrtNearest.create(set.bank, set.bankSize, set.dim, { threads: settings.threads });
        nearest.set(set, n);
        all.push(n);
      }
      return n;
    },
    async release(): Promise<void> {
      for (const n of all) await (await n).release();
      all.length = 0;
    },
  };
}

/** What a reference set records of the engine that built it, so only a matching engine scores against it. */
interface EngineIdentity {
  manifest: ModelManifest;
  settings: EngineSettings;
  projection: Float32Array;
  inDim: number;
}

/** What a reference set is chosen from: every content patch of the good images and their views. */
function referencePatches(embeddings: PatchEmbedding[], names: string[], opts: BuildOptions, dim: number) {
  if (embeddings.length === 0) throw new Error('reference set: no good images given; add at least one good image');
  if (names.length !== embeddings.length)
    throw new Error(`reference set: ${embeddings.length} embeddings but ${names.length} names`);
  if (opts.views && opts.views.length !== embeddings.length)
    throw new Error(`reference set: ${embeddings.length} embeddings but views of ${opts.views.length} images`);
  return contentPatches(embeddings, opts.views, names, dim);
}

const coresetOptions = (opts: BuildOptions): CoresetOptions => ({
  size: opts.coresetSize,
  seed: opts.seed,
  selectionDim: opts.selectionDim,
});

/** The chosen patches → memory bank, with the images' own embeddings and the engine's identity. */
function assembleReferenceSet(
  embeddings: PatchEmbedding[],
  names: string[],
  opts: BuildOptions,
  patches: { all: Float32Array; owner: Int32Array; total: number },
  chosen: Int32Array,
  engine: EngineIdentity,
): ReferenceSet {
  const { manifest, settings, projection, inDim } = engine;
  const dim = settings.dim;
  const imageEmb = new Float32Array(embeddings.length * dim);
  for (const [i, e] of embeddings.entries()) imageEmb.set(e.imageEmbedding, i * dim);
  const { threads: _t, ...stored } = settings;
  return {
    formatVersion: REFERENCE_SET_FORMAT,
    model: { id: manifest.id, sha256: manifest.sha256 },
    settings: { ...stored, ...featureSettings(settings) },
    dim,
    bankSize: chosen.length,
    bank: bankOf(patches.all, chosen, dim),
    bankImages: Int32Array.from(chosen, (r) => patches.owner[r]),
    projection: projection.slice(),
    projectionShape: [inDim, dim],
    images: { names: [...names], embeddings: imageEmb },
    coreset: { seed: opts.seed, size: opts.coresetSize, sourcePatches: patches.total },
    ...(opts.itemRegion ? { itemRegion: opts.itemRegion } : {}),
    createdAt: new Date().toISOString(),
  };
}

/** The model input of a decoded photo: as taken, or (pose 'level') turned to its item's pose first, which it records. */
function inputMaker(
  settings: EngineSettings,
  fitInput: (img: DecodedImage) => Promise<InputTensor>,
): (img: DecodedImage) => Promise<InputTensor> {
  if (settings.pose !== 'level') return fitInput;
  return async (img) => {
    const pose = photoPose(img);
    const input = await fitInput(levelImage(img, pose));
    return { ...input, geometry: { ...input.geometry, pose } };
  };
}

export function createEngine(backbone: BackboneHandle, overrides: Partial<EngineSettings> = {}): Engine {
  const { session, manifest } = backbone;
  const settings = resolveSettings(manifest, overrides);
  const taps = tapsOf(manifest, settings);
  validateSettings(settings, Math.max(...taps.map((t) => t.stride)));
  const inDim = taps.reduce((a, t) => a + t.channels, 0);
  const projection = reductionMatrix(inDim, settings);
  const identity: EngineIdentity = { manifest, settings, projection, inDim };
  const heads = headSessions(settings, projection);
  const nearest = nearestSessions(settings);
  const accepted = new WeakSet<ReferenceSet>(); // sets already checked: the check compares the whole projection

  function checkSet(set: ReferenceSet): void {
    if (accepted.has(set)) return;
    checkReferenceSet(set, manifest, settings, projection);
    accepted.add(set);
  }

  async function embed(input: InputTensor): Promise<PatchEmbedding> {
    const feeds = { [manifest.input.name]: new ort.Tensor('float32', input.data, [1, 3, input.height, input.width]) };
    const out = await session.run(feeds, settings.taps);
    const shapes: TapShape[] = settings.taps.map((name) => {
      const d = out[name].dims;
      return { name, channels: d[1], height: d[2], width: d[3] };
    });
    const fine = shapes.reduce((a, t) => (t.height * t.width > a.height * a.width ? t : a));
    const res = await (await heads.get(shapes)).run(Object.fromEntries(settings.taps.map((n) => [n, out[n]])));
    for (const n of settings.taps) out[n].dispose?.();
    const patches = res.patches.data as Float32Array;
    const gridW = fine.width,
      gridH = fine.height,
      dim = settings.dim;
    const fineStride = Math.min(...taps.map((t) => t.stride));
    const cells = placement(gridW, gridH, fineStride, input);
    const contentMask = contentMaskFor(gridW, gridH, cells, input);
    const imageEmbedding = meanContentEmbedding(patches, contentMask, gridW * gridH, dim);
    return { gridW, gridH, cells, dim, patches, imageEmbedding, contentMask, geometry: input.geometry };
  }

  const fit = { ...settings, stride: Math.max(...taps.map((t) => t.stride)) };
  const preprocess = inputMaker(settings, (img) => toInputTensor(img, manifest, fit));

  async function scoreWithTimes(embedding: PatchEmbedding, set: ReferenceSet) {
    checkSet(set);
    const t0 = performance.now();
    const nn = await nearest.get(set);
    const scoredMask = scoredCells(embedding, set.itemRegion);
    const distances = await contentDistances(nn, { ...embedding, contentMask: scoredMask });
    const t1 = performance.now();
    const built = buildAnomalyMap(
      distances,
      embedding.gridW,
      embedding.gridH,
      embedding.geometry,
      { sigma: settings.sigma },
      embedding.cells,
    );
    const { score } = built;
    const g = embedding.geometry;
    // The map goes back onto the photo as it was taken, so heatmaps and evidence show where the item really is.
    const anomalyMap = g.pose ? mapToPhoto(built.anomalyMap, g.pose, g.sourceWidth, g.sourceHeight) : built.anomalyMap;
    const t2 = performance.now();
    return {
      result: { score, patchScores: distances, anomalyMap, scoredMask } as ScoreResult,
      scoringMs: t1 - t0,
      heatmapMs: t2 - t1,
    };
  }

  async function inspectDecoded(img: DecodedImage, set: ReferenceSet, decodeMs = 0): Promise<InspectResult> {
    checkSet(set);
    const t0 = performance.now();
    const input = await preprocess(img);
    const t1 = performance.now();
    const embedding = await embed(input);
    const t2 = performance.now();
    const s = await scoreWithTimes(embedding, set);
    return {
      ...s.result,
      embedding,
      timings: { decodeMs, preprocessMs: t1 - t0, backboneMs: t2 - t1, scoringMs: s.scoringMs, heatmapMs: s.heatmapMs },
    };
  }

  return {
    manifest,
    settings,
    preprocess,
    embed,
    async embedImage(buf, name) {
      return embed(await preprocess(await decodeImage(buf, name)));
    },
    async embedViews(img, augment) {
      const out: PatchEmbedding[] = [];
      for (const v of augmentedViews(img, augment)) out.push(await embed(await preprocess(v)));
      return out;
    },
    buildReferenceSet(embeddings, names, opts) {
      const patches = referencePatches(embeddings, names, opts, settings.dim);
      const chosen = greedyCoreset(patches.all, patches.total, settings.dim, coresetOptions(opts));
      return assembleReferenceSet(embeddings, names, opts, patches, chosen, identity);
    },
    async buildReferenceSetWith(select, embeddings, names, opts) {
      const patches = referencePatches(embeddings, names, opts, settings.dim);
      const chosen = await select(patches.all, patches.total, settings.dim, coresetOptions(opts));
      return assembleReferenceSet(embeddings, names, opts, patches, chosen, identity);
    },
    async score(embedding, set) {
      return (await scoreWithTimes(embedding, set)).result;
    },
    async inspect(buf, name, set) {
      checkSet(set);
      const t0 = performance.now();
      const img = await decodeImage(buf, name);
      return inspectDecoded(img, set, performance.now() - t0);
    },
    inspectDecoded,
    async release() {
      await heads.release();
      await nearest.release();
    },
  };
}

export type { AnomalyMap };
