/**
 * The configurations a product's self-tuning calibration tries (pure). A candidate is an engine configuration
 * (backbone × input size × input shape × reference-set augmentation) and a way to pool patch scores into the
 * item's score; candidates that differ only in pooling share their embeddings, so pooling is nearly free.
 */
import type { Augmentation } from '../../vision/augment.ts';
import type { PoseMode } from '../../vision/pose.ts';

/** The input's shape: a square, or the product's own aspect (median of its good images). */
export type AspectChoice = 'square' | 'native';

export interface Candidate {
  backbone: string;
  /** Long side of the model input. */
  size: number;
  aspect: AspectChoice;
  augment: Augmentation;
  /** 0: the map's maximum; otherwise the mean of this most deviating share of patches. */
  topShare: number;
  /** 'level': each photo turned to its item's pose first (vision/pose.ts); absent: as photographed. */
  pose?: PoseMode;
}

export interface SearchSpace {
  backbones: string[];
  sizes: number[];
  aspects: AspectChoice[];
  augments: Augmentation[];
  topShares: number[];
  /** Absent: ['none']. A product levels when pinned, or with few good images of long items at any angle (tune/index.ts). */
  poses?: PoseMode[];
}

/** What product.json pins (not searched). */
export type Pins = Partial<Candidate>;

/** Below this, a product's native aspect is treated as square (a 15 % stretch costs nothing measurable). */
export const SQUARE_TOLERANCE = 1.15;

export function defaultSpace(backbones: string[]): SearchSpace {
  return { backbones, sizes: [224, 448], aspects: ['square', 'native'], augments: ['none'], topShares: [0, 0.1] };
}

/** Fewer good images than this make a few-shot product: its reference set alone covers too little variation. */
export const FEW_SHOTS = 20;

/**
 * The space a product searches: a few-shot product also tries reference-set augmentation (mirrored, turned and
 * spun views of its good images), which the many-shot ones do not need and would pay for in calibration time.
 */
export function spaceFor(space: SearchSpace, goodImages: number): SearchSpace {
  if (goodImages >= FEW_SHOTS || space.augments.some((a) => a !== 'none')) return space;
  return { ...space, augments: ['none', 'flips', 'turns', 'spin'] };
}

/** Items whose shape is this close to square gain nothing from a native-aspect input. */
export const isSquarish = (aspect: number) => Math.max(aspect, 1 / aspect) < SQUARE_TOLERANCE;

/** An input this much longer than the photographs' own long side is still worth trying (resampling rounds). */
export const UPSCALE_TOLERANCE = 1.15;

/**
 * Input sizes worth searching for photographs whose long side is `longSide` px: a larger input only magnifies
 * them, adding no detail but cost and texture noise (magnetic tiles, ~330 px: 224 → 448 took image AUROC from 0.86
 * to 0.75). The smallest size always stays.
 */
export function usefulSizes(sizes: number[], longSide?: number): number[] {
  if (longSide === undefined) return sizes;
  const keep = sizes.filter((s) => s <= longSide * UPSCALE_TOLERANCE);
  return keep.length ? keep : [Math.min(...sizes)];
}

/**
 * Every combination, pinned dimensions fixed; 'native' is dropped when the product is squarish, and sizes that
 * would magnify photographs with this long side (px) are dropped (see usefulSizes).
 */
export function candidateList(space: SearchSpace, pins: Pins, nativeAspect: number, longSide?: number): Candidate[] {
  const dim = <K extends keyof Candidate>(k: K, values: Candidate[K][]): Candidate[K][] =>
    pins[k] !== undefined ? [pins[k] as Candidate[K]] : values;
  const aspects = dim('aspect', space.aspects).filter(
    (a) => a === 'square' || !isSquarish(nativeAspect) || pins.aspect === 'native',
  );
  const out: Candidate[] = [];
  for (const backbone of dim('backbone', space.backbones))
    for (const size of dim('size', usefulSizes(space.sizes, longSide)))
      for (const aspect of aspects.length ? aspects : ['square' as const])
        for (const augment of dim('augment', space.augments).filter(
          (a) => (a !== 'turns' && a !== 'spin') || (aspect === 'square' && isSquarish(nativeAspect)),
        ))
          for (const topShare of dim('topShare', space.topShares))
            out.push({ backbone, size, aspect, augment, topShare });
  // A levelled item already lies one way: turned views of it would only repeat the reference set.
  const poses = dim('pose', space.poses ?? ['none']);
  return out.flatMap((c) =>
    poses.filter((p) => p === 'none' || c.augment === 'none').map((p) => (p === 'none' ? c : { ...c, pose: p })),
  );
}

/** The engine a candidate needs: candidates with the same key share embeddings and reference sets. */
export const engineKey = (c: Candidate) =>
  `${c.backbone} ${c.size} ${c.aspect} ${c.augment}${c.pose === 'level' ? ' level' : ''}`;

export function candidateLabel(c: Candidate): string {
  const pool = c.topShare > 0 ? `top ${Math.round(c.topShare * 100)}%` : 'max';
  const look = `${c.aspect}${c.pose === 'level' ? ' levelled' : ''}${c.augment === 'none' ? '' : ` +${c.augment}`}`;
  return `${c.backbone.replace(/-features$/, '')} ${c.size} ${look} ${pool}`;
}

/** A rough cost order for ties: input pixels, then the backbone's place in the pool (cheapest first). */
export function costRank(c: Candidate, space: SearchSpace, nativeAspect: number): number {
  const a = c.aspect === 'native' ? Math.max(nativeAspect, 1 / nativeAspect) : 1;
  const extra = (c.augment === 'none' ? 1 : 1.01) * (c.pose === 'level' ? 1.02 : 1);
  return ((c.size * c.size) / a) * (1 + space.backbones.indexOf(c.backbone)) * extra;
}

/** Nearest-neighbour work of the default configuration: 784 patches (224², stride 8) against a 10,000-patch bank. */
export const BANK_WORK = 784 * 10_000;

/**
 * The bank size a candidate runs with: the product's (or the default) coreset size, capped so that patches per item
 * × bank stays at the default configuration's work. A 448 input has four times the patches, so it searches a
 * quarter of the bank: the kNN step, not the backbone, is what a larger input would otherwise make too slow.
 */
export function bankFor(
  c: Pick<Candidate, 'size' | 'aspect'>,
  nativeAspect: number,
  coresetSize: number,
  finestStride = 8,
): number {
  const a = c.aspect === 'native' ? Math.max(nativeAspect, 1 / nativeAspect) : 1;
  const patches = (c.size / finestStride) * (c.size / a / finestStride);
  return Math.max(500, Math.min(coresetSize, Math.round(BANK_WORK / patches)));
}

/**
 * A pair's members share one configuration's kNN work: each keeps half the bank it would keep alone. Both full
 * banks put the tile's pair at 71 ms capture-to-score, over its 60 ms budget (the two backbones alone cost 43 ms);
 * half banks also halve the greedy coreset work that dominates a pair's calibration.
 */
export const pairMemberBank = (bank: number): number => Math.max(250, Math.round(bank / 2));
