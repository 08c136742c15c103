/**
 * Self-tuning calibration, composed: decode a seeded subset of the product's good images, draw synthetic
 * defects on them, try every candidate configuration on those images alone (never on test images), and
 * choose one within the latency budget. Eval and calibration both call this, so eval measures the choice a
 * product would make.
 */
import { sampleIndices } from '../../shared/random.ts';
import { lowerMedian } from '../../shared/numbers.ts';
import { estimateItemMask, synthesizeSet } from '../synth/index.ts';
import { learnItemRegion, typicalItemCover, type ItemRegion } from '../../vision/itemRegion.ts';
import { itemsLieAtAnyAngle, levelMask, photoPose, type PoseMode } from '../../vision/pose.ts';
import type { DecodedImage } from '../../vision/types.ts';
import { bankFor, candidateList, FEW_SHOTS, spaceFor, type Pins, type SearchSpace } from './candidates.ts';
import { chooseCandidate, SURFACE_COVER, type Choice, type ChoiceOptions } from './choose.ts';
import { cheapestPairMs, combinations, pairChoice, type Combination } from './combine.ts';
import { searchCandidates, type CandidateFigures, type EngineFor, type SearchOptions } from './search.ts';

export interface TuneOptions {
  space: SearchSpace;
  pins: Pins;
  budgetMs: number;
  seed: number;
  coresetSize: number;
  /** At most this many good images take part in the search (default 48). */
  maxImages?: number;
  /** Median long side (px) of the product's photographs: larger inputs are not tried (see usefulSizes). */
  longSide?: number;
  /** About this many synthetic defects in all (default 96), at least one per image. */
  syntheticTarget?: number;
  /** May the product run a pair (default true)? Not when it judges by regions or per-location statistics. */
  pairs?: boolean;
  /** Chooses the search's banks off the calling thread (see coreset/pool.ts). */
  coresets?: SearchOptions['coresets'];
  onProgress?: (done: number, total: number, what: string) => void;
}

export interface TuneResult {
  nativeAspect: number;
  /** Where the items were in the search images, as the candidates see them (null: they fill the frame). */
  itemRegion: ItemRegion | null;
  searchImages: number;
  syntheticDefects: number;
  rows: CandidateFigures[];
  choice: Choice;
  /** What the choice was made under (the product's prior: surface, few shots). */
  choiceOptions: ChoiceOptions;
  /** Every pair of candidates that fits the budget, best separating first (see combine.ts). */
  combinations: Combination[];
  /** The cheapest pair on two backbones, fitting or not; null when pairs are not offered (or one backbone). */
  cheapestPairMs: number | null;
  /** The pair the product runs instead of `choice` (see pairChoice); null: the single candidate stands. */
  pair: Combination | null;
}

/**
 * The pose a product's candidates take, with the item region they see. Levelled when product.json pins it, or when
 * the product has few good images of long items lying at any angle: a bank of ten screws holds ten angles, and the
 * synthetic defects, drawn on those same ten, cannot show what the missing angles cost (on MVTec screw at ten shots
 * they ranked the turned views first: 0.681 test AUROC, where levelling gives 0.809 at 224 and 0.931 at 448). With
 * many good images levelling is not offered: the bank covers the angles (screw, 320 images: 0.955 unlevelled at 448;
 * the synthetic defects chose the levelled 224 input, 0.926). A levelled region is learned from the masks turned the
 * same way, so it hugs the levelled item.
 */
export function poseFor(
  pick: DecodedImage[],
  masks: Uint8Array[],
  pins: Pins,
  /** Few good images of items (not a surface): levelled when they lie at any angle. */
  fewAndLoose: boolean,
): { poses: PoseMode[]; region: ItemRegion | null } {
  const regionOf = (ms: Uint8Array[]) =>
    learnItemRegion(pick.map((g, i) => ({ width: g.width, height: g.height, mask: ms[i] })));
  if (pins.pose === 'none') return { poses: ['none'], region: regionOf(masks) };
  const poses = pins.pose === 'level' || fewAndLoose ? pick.map(photoPose) : [];
  if (pins.pose !== 'level' && !itemsLieAtAnyAngle(poses)) return { poses: ['none'], region: regionOf(masks) };
  const levelled = masks.map((m, i) => levelMask(m, pick[i].width, pick[i].height, poses[i]));
  return { poses: ['level'], region: regionOf(levelled) };
}

/** Width / height of the product's items: the median over its good images (robust to a few odd photos). */
export const medianAspect = (images: { width: number; height: number }[]): number =>
  lowerMedian(images.map((i) => i.width / i.height));

/** The long side (px) of the product's photographs: the median over its good images. */
export const medianLongSide = (images: { width: number; height: number }[]): number =>
  lowerMedian(images.map((i) => Math.max(i.width, i.height)));

/** Which of n good images take part in the search (seeded, sorted). */
export const searchSubset = (n: number, opts: Pick<TuneOptions, 'maxImages' | 'seed'>) =>
  sampleIndices(n, opts.maxImages ?? DEFAULT_SEARCH_IMAGES, opts.seed);

export const DEFAULT_SEARCH_IMAGES = 48;

/**
 * `pick`: the decoded search subset of the good images (searchSubset); `nativeAspect`: medianAspect of all of them
 * (the engines for 'native' candidates were made with it).
 */
export async function tuneProduct(
  pick: DecodedImage[],
  rejects: DecodedImage[],
  nativeAspect: number,
  engineFor: EngineFor,
  opts: TuneOptions,
): Promise<TuneResult> {
  if (pick.length < 2) throw new Error(`self-tuning needs at least 2 good images, got ${pick.length}`);
  const perImage = Math.max(1, Math.min(8, Math.ceil((opts.syntheticTarget ?? 96) / pick.length)));
  // One item mask per image serves both: where defects are drawn, and where the product's items sit (the region).
  const itemMasks = pick.map((g) => estimateItemMask(g));
  const synthetic = synthesizeSet(pick, { perImage, seed: opts.seed, itemMasks });
  const surface = typicalItemCover(itemMasks) >= SURFACE_COVER;
  const fewShot = pick.length < FEW_SHOTS;
  const { poses, region: itemRegion } = poseFor(pick, itemMasks, opts.pins, fewShot && !surface);
  const space = { ...spaceFor(opts.space, pick.length), poses };
  const candidates = candidateList(space, opts.pins, nativeAspect, opts.longSide);
  const rows = await searchCandidates(
    candidates,
    engineFor,
    { goods: pick, synthetic, rejects },
    {
      folds: 3,
      seed: opts.seed,
      bankSize: (c) => bankFor(c, nativeAspect, opts.coresetSize),
      itemRegion,
      onProgress: opts.onProgress,
      budgetMs: opts.budgetMs,
      coresets: opts.coresets,
    },
  );
  const choiceOptions: ChoiceOptions = { budgetMs: opts.budgetMs, space, nativeAspect, surface, fewShot };
  const choice = chooseCandidate(rows, choiceOptions);
  const pairs = opts.pairs === false ? [] : combinations(rows, opts.budgetMs);
  return {
    combinations: pairs,
    cheapestPairMs: opts.pairs === false ? null : cheapestPairMs(rows),
    pair: pairChoice(rows, pairs, choiceOptions),
    nativeAspect,
    itemRegion,
    searchImages: pick.length,
    syntheticDefects: synthetic.length,
    rows,
    choice,
    choiceOptions,
  };
}
