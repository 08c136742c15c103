/**
 * Self-tuning for a product's calibration: its good (and reject) files → the configuration it will run.
 * Decodes only the search subset (all good images are measured for their aspect), crops to the product's region
 * of interest first (so synthetic defects land where the engine looks), and returns the engine choice with a
 * summary for the report and the reference set. A product that pins every dimension gets its one candidate
 * without a search.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { cropToRoi, decodeImage, orientedSize, roiPixels } from '../../vision/preprocess.ts';
import { regionCover, type ItemRegion } from '../../vision/itemRegion.ts';
import type { Engine } from '../../vision/engine.ts';
import type { DecodedImage } from '../../vision/types.ts';
import type { EngineChoice } from '../engine.ts';
import type { ProductConfig } from '../../products/productConfig.ts';
import type { CalibrationFile } from '../scanFolder.ts';
import {
  bankFor,
  pairMemberBank,
  candidateLabel,
  candidateList,
  defaultSpace,
  spaceFor,
  usefulSizes,
  type Candidate,
} from './candidates.ts';
import { pairReason } from './combine.ts';
import { medianAspect, medianLongSide, searchSubset, tuneProduct, type TuneOptions, type TuneResult } from './index.ts';
import type { CandidateFigures } from './search.ts';

export interface TuningSummary {
  chosen: string;
  candidate: Candidate;
  reason: string;
  /** Width / height of the product's items (median of its good images, inside the region of interest). */
  nativeAspect: number;
  /** Median long side (px) of the good images, inside the region of interest. */
  longSide?: number;
  /** Input sizes left out because they would only magnify photographs that small (see usefulSizes). */
  sizesNotTried?: number[];
  searchImages: number;
  syntheticDefects: number;
  seconds: number;
  budgetMs: number;
  /** Share of the frame where items were seen (the rest, the bench, is not scored); null: items fill the frame. */
  itemRegionCover: number | null;
  candidates: {
    label: string;
    /** Null (and synthetic, caught, measuredMs with it): over the budget by the cost model, so not searched. */
    separation: number | null;
    synthetic: number | null;
    rejects: number | null;
    caught: number | null;
    /** What the budget was judged on (the backbone's cost model, else the timing). */
    latencyMs: number;
    /** Timed during this search. */
    measuredMs: number | null;
    latencyFrom: CandidateFigures['latencyFrom'];
    withinBudget: boolean;
  }[];
  /** The pairs that fit the budget, best separating first (at most 5); `chosen` names one when the product runs it. */
  pairs?: { label: string; separation: number; latencyMs: number }[];
  /** Pairs were offered but none fits the budget: what the cheapest would cost, ms. */
  cheapestPairMs?: number;
  /** The chosen pair's second configuration (`candidate` is its first). */
  partnerCandidate?: Candidate;
}

export interface TunedChoice {
  engine: EngineChoice;
  topShare: number;
  /** Where the product's items sit in its region of interest: the bench around them is not scored. */
  itemRegion: ItemRegion | null;
  /** A pair's second configuration (see tune/combine.ts): calibrated and run beside `engine`, judged combined. */
  partner?: { engine: EngineChoice; topShare: number };
  summary: TuningSummary;
}

export type ProductTuner = (
  product: ProductConfig,
  files: { good: CalibrationFile[]; reject: CalibrationFile[] },
  onProgress?: (done: number, total: number) => void,
) => Promise<TunedChoice>;

/** Image size after EXIF orientation, without decoding the pixels. */
async function fileSize(file: string): Promise<{ width: number; height: number } | null> {
  try {
    return orientedSize(await sharp(file).metadata());
  } catch {
    return null; // unreadable: embedding reports it by name later
  }
}

/** The engine a candidate runs on, for a product (or an eval category) with this input mode, bank size and region. */
export function engineChoiceFor(
  c: Candidate,
  product: Pick<ProductConfig, 'inputMode' | 'coresetSize' | 'roi'>,
  nativeAspect: number,
  defaultCoreset: number,
): EngineChoice {
  return {
    inputMode: product.inputMode,
    coresetSize: bankFor(c, nativeAspect, product.coresetSize ?? defaultCoreset),
    backbone: c.backbone,
    augment: c.augment,
    settings: {
      size: c.size,
      aspect: c.aspect === 'native' ? nativeAspect : 1,
      roi: product.roi,
      pose: c.pose ?? 'none',
    },
  };
}

/** The engines a pair's members run on: each its own configuration on half its bank (pairMemberBank). */
export function pairEngines(
  members: [{ candidate: Candidate }, { candidate: Candidate }],
  product: Pick<ProductConfig, 'inputMode' | 'coresetSize' | 'roi'>,
  nativeAspect: number,
  defaultCoreset: number,
): { engine: EngineChoice; partner: { engine: EngineChoice; topShare: number } } {
  const [engine, second] = members.map(({ candidate }) => {
    const own = engineChoiceFor(candidate, product, nativeAspect, defaultCoreset);
    return { ...own, coresetSize: pairMemberBank(own.coresetSize ?? defaultCoreset) };
  });
  return { engine, partner: { engine: second, topShare: members[1].candidate.topShare } };
}

/** The search's subset of good images and the rejects, decoded and cut to the region of interest (unreadable: left out). */
async function searchImages(product: ProductConfig, files: { good: CalibrationFile[]; reject: CalibrationFile[] }) {
  const decode = async (f: CalibrationFile): Promise<DecodedImage | null> => {
    try {
      return cropToRoi(await decodeImage(readFileSync(f.file), f.name), product.roi);
    } catch {
      return null;
    }
  };
  const pick: DecodedImage[] = [];
  for (const i of searchSubset(files.good.length, { seed: product.seed })) {
    const img = await decode(files.good[i]);
    if (img) pick.push(img);
  }
  const rejects: DecodedImage[] = [];
  for (const f of files.reject) {
    const img = await decode(f);
    if (img) rejects.push(img);
  }
  return { pick, rejects };
}

/** What the report keeps of a search: the candidates' and pairs' figures, what was chosen and why. */
function searchSummary(tuned: TuneResult): Partial<TuningSummary> & { itemRegion: ItemRegion | null } {
  const pair = tuned.pair;
  const budgetMs = tuned.choiceOptions.budgetMs;
  return {
    itemRegion: tuned.itemRegion,
    itemRegionCover: tuned.itemRegion ? regionCover(tuned.itemRegion) : null,
    reason: pair ? pairReason(tuned.rows, pair, tuned.choiceOptions) : tuned.choice.reason,
    pairs: tuned.combinations
      .slice(0, 5)
      .map((p) => ({ label: p.label, separation: p.separation, latencyMs: p.latencyMs })),
    ...(tuned.combinations.length === 0 && tuned.cheapestPairMs !== null
      ? { cheapestPairMs: tuned.cheapestPairMs }
      : {}),
    ...(pair ? { chosen: pair.label, partnerCandidate: pair.members[1].candidate } : {}),
    searchImages: tuned.searchImages,
    syntheticDefects: tuned.syntheticDefects,
    candidates: tuned.rows.map((r) => ({
      label: candidateLabel(r.candidate),
      separation: r.searched ? r.separation : null,
      synthetic: r.searched ? r.synthetic : null,
      rejects: r.rejects,
      caught: r.searched ? r.caught : null,
      latencyMs: r.latencyMs,
      measuredMs: r.searched ? r.measuredMs : null,
      latencyFrom: r.latencyFrom,
      withinBudget: r.latencyMs <= budgetMs,
    })),
  };
}

export function productTuner(
  backboneIds: string[],
  engineFor: (choice: EngineChoice) => Promise<Engine>,
  defaultCoreset: number,
  coresets?: TuneOptions['coresets'],
): ProductTuner {
  return async (product, files, onProgress) => {
    const t0 = performance.now();
    const sizes = (await Promise.all(files.good.map((f) => fileSize(f.file))))
      .filter((s): s is { width: number; height: number } => s !== null)
      .map((s) => roiPixels(s.width, s.height, product.roi));
    if (sizes.length === 0) throw new Error('self-tuning: no readable good image to measure');
    const nativeAspect = medianAspect(sizes);
    const longSide = medianLongSide(sizes);
    const space = spaceFor(defaultSpace(backboneIds), files.good.length);
    const candidates = candidateList(space, product.pins, nativeAspect, longSide);
    const sizesNotTried = product.pins.size
      ? []
      : space.sizes.filter((s) => !usefulSizes(space.sizes, longSide).includes(s));
    const budgetMs = product.latencyBudgetMs;
    const summaryOf = (
      c: Candidate,
      { itemRegion = null, ...extra }: Partial<TuningSummary> & { itemRegion?: ItemRegion | null },
    ): TunedChoice => ({
      engine: engineChoiceFor(c, product, nativeAspect, defaultCoreset),
      topShare: c.topShare,
      itemRegion,
      summary: {
        chosen: candidateLabel(c),
        candidate: c,
        reason: '',
        nativeAspect,
        longSide,
        sizesNotTried,
        searchImages: 0,
        syntheticDefects: 0,
        seconds: (performance.now() - t0) / 1000,
        budgetMs,
        candidates: [],
        itemRegionCover: null,
        ...extra,
      },
    });
    if (candidates.length === 1) {
      const reason = sizesNotTried.length
        ? `the only configuration left: the other settings are pinned and a larger input would only magnify ${longSide} px photographs`
        : 'every setting is pinned in product.json';
      return summaryOf(candidates[0], { reason });
    }

    const { pick, rejects } = await searchImages(product, files);
    // The search images are already cut to the region of interest, so its engines look at all of them.
    const engineOf = (c: Candidate) => {
      const choice = engineChoiceFor(c, product, nativeAspect, defaultCoreset);
      return engineFor({ ...choice, settings: { ...choice.settings, roi: null } });
    };
    const tuned = await tuneProduct(pick, rejects, nativeAspect, engineOf, {
      space,
      // levelling turns the whole photo, which a roi would cut first
      pins: product.roi ? { pose: 'none', ...product.pins } : product.pins,
      budgetMs,
      seed: product.seed,
      coresetSize: product.coresetSize ?? defaultCoreset,
      longSide,
      coresets,
      onProgress: (d, n) => onProgress?.(d, n),
      // A pair is judged by its combined score alone: not for products judged by regions or per location.
      pairs: !product.regions.length && !product.placedConsistently,
    });
    const pair = tuned.pair;
    const choice = summaryOf(pair ? pair.members[0].candidate : tuned.choice.chosen.candidate, searchSummary(tuned));
    if (!pair) return choice;
    return { ...choice, ...pairEngines(pair.members, product, nativeAspect, defaultCoreset) };
  };
}
