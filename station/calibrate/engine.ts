/**
 * What calibration needs from the inspection engine, as a small interface: the orchestration
 * stays testable with numeric fakes, and station/calibrate/visionEngine.ts adapts the real engine.
 */
import type { EngineSpec } from '../engines/pool.ts';
import type { Augmentation } from '../vision/augment.ts';
import type { ItemRegion } from '../vision/itemRegion.ts';
import type { ReferenceSetJudging } from '../vision/referenceSet.ts';

export interface ItemScore {
  score: number;
  /** Nearest-neighbour distance per patch, row-major [gridH, gridW]. */
  patchScores: Float32Array;
  /** Grid cells with image content (1) vs padding (0). */
  contentMask?: Uint8Array;
  /** A pair's members' own scores (score and patch scores above are the first member's). */
  members?: ItemScore[];
}

export interface CalibrationEngine<E = unknown, S = unknown> {
  /** Checksum of the backbone: stored with each version, a mismatch refuses an old reference set. */
  readonly modelSha256: string;
  /** Memory-bank size (patches kept) used when the product sets none. */
  readonly defaultCoresetSize: number;
  /** Banks worth building at once (their selections run on that many threads); absent: one at a time. */
  readonly buildsAtOnce?: number;
  /** Decode + embed one image; throws an Error naming `name` when the image cannot be read. */
  embed(buf: Buffer, name: string): Promise<E>;
  /** The augmented views of one image, embedded (empty when the configuration does not augment). */
  embedViews?(buf: Buffer, name: string): Promise<E[]>;
  imageEmbedding(e: E): Float32Array;
  grid(e: E): { gridW: number; gridH: number };
  /**
   * Build a reference set (its memory bank of patches, and what scoring needs) from these embeddings; `views` are
   * each image's augmented views (aligned with `embs`).
   */
  build(
    embs: E[],
    names: string[],
    opts: { seed: number; coresetSize?: number; views?: E[][]; itemRegion?: ItemRegion | null },
  ): S | Promise<S>;
  /**
   * A set built here, without the named images' patches (see vision/withoutImages.ts), and the share of its bank
   * they were (a pair: the larger of its members' shares).
   */
  without(set: S, names: ReadonlySet<string>): { set: S; share: number };
  score(e: E, set: S): ItemScore | Promise<ItemScore>;
  /** The set's file bytes; the self-tuning summary and the product's judging (band, score model) travel inside. */
  serialise(set: S, extras?: { tuning?: object; judging?: ReferenceSetJudging }): Uint8Array;
  /** Load a reference-set file's bytes; throws naming `file` when it is damaged or from another backbone. */
  deserialise(bytes: Uint8Array, file: string): S;
  /** The judging a loaded reference set's file carries; undefined for a format-1 file (its row holds the band). */
  judgingOf(set: S): ReferenceSetJudging | undefined;
  /** The backbone's id, summarised in the version's row. */
  readonly modelId?: string;
  /** A pair's second backbone (see pairEngine.ts). */
  readonly partnerModel?: { id: string; sha256: string };
}

/** Engine settings a product chooses (product.json, or its self-tuning): the pool's engine, and how it builds. */
export interface EngineChoice extends EngineSpec {
  /** Memory-bank size of the reference set. */
  coresetSize?: number;
  /** Extra views of each good image in the reference set (items placed turned or mirrored). */
  augment?: Augmentation;
}

export type EngineFactory = (choice: EngineChoice) => Promise<CalibrationEngine>;
