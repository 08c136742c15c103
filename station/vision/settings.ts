/** Engine settings: what shapes the patch features (stored with every reference set) and how maps are scored. */
import { isPoseMode, type PoseMode } from './pose.ts';
import { isResizeMode, resizeModesText, type Rect, type ResizeMode } from './types.ts';

/** The largest long side of the model input: four times the pretrained 192-224, enough for hairline cracks on long parts. */
export const MAX_INPUT_SIZE = 896;

export interface FeatureSettings {
  /** Long side of the model input in pixels (a multiple of the largest tap stride). */
  size: number;
  /**
   * Width / height of the model input (1: square). The short side is rounded to a multiple of the largest tap
   * stride, so a tall or long item keeps its shape instead of being squeezed into a square.
   */
  aspect: number;
  /** The part of the frame that holds the item, in shares of the frame (null: the whole frame); the rest is never seen. */
  roi: Rect | null;
  resize: ResizeMode;
  /** Mirrored border in input pixels around the fitted image (never scored); the input side is size + 2·margin. */
  margin: number;
  /** Backbone outputs to use (names from the manifest); the finest one sets the patch grid. */
  taps: string[];
  /** Side of the neighbourhood average pooling applied to each tap (odd; 1 disables it). */
  poolSize: number;
  /** Fixed patch feature dimension after reduction. */
  dim: number;
  /** 'random': seeded Gaussian projection; 'average': mean over groups of adjacent channels (PatchCore's). */
  reduction: 'random' | 'average';
  projectionSeed: number;
  /** 'l2' rescales each tap's patch vectors to unit length before concatenation, so no tap dominates by scale. */
  tapNorm: 'none' | 'l2';
  /**
   * 'standardize' rescales each image's brightness and contrast (one gain and offset for all channels, so hue is
   * kept) to fixed targets before the backbone: exposure drift between shots stops looking like a defect.
   */
  photometric: 'none' | 'standardize';
  /** 'level': each photo is turned so its item's long axis is level before anything else (see pose.ts). */
  pose: PoseMode;
}

export interface EngineSettings extends FeatureSettings {
  /** Gaussian sigma (model-input pixels) for smoothing the anomaly map. */
  sigma: number;
  /** ONNX Runtime threads for the feature head and the kNN kernel (default: all cores). */
  threads?: number;
}

/**
 * Settings per known backbone, chosen with `npm run eval` (see README.md: InceptionV3 with photometric
 * standardisation was chosen on the tune half of the magnetic-tile test set, checked against bottle).
 * Other models use all taps of stride ≥ 8 and the plain defaults.
 */
export const BACKBONE_DEFAULTS: Record<string, Partial<EngineSettings> & { taps: string[] }> = {
  'mobilenet_v2-features': { taps: ['block_5_add', 'block_6_expand_relu', 'block_12_add', 'block_13_expand_relu'] },
  'inception_v3-features': { taps: ['mixed2', 'mixed7'], photometric: 'standardize' },
};

export function backboneDefaults(manifest: {
  id: string;
  taps: { name: string; stride: number }[];
}): Partial<EngineSettings> & { taps: string[] } {
  const known = BACKBONE_DEFAULTS[manifest.id];
  if (known?.taps.every((n) => manifest.taps.some((t) => t.name === n))) return { ...known, taps: [...known.taps] };
  const coarse = manifest.taps.filter((t) => t.stride >= 8).map((t) => t.name);
  return { taps: coarse.length ? coarse : manifest.taps.map((t) => t.name) };
}

/** Map smoothing (sigma, input pixels) per 224 px of the input's long side. */
export const SIGMA_PER_224 = 4;

/**
 * The map smoothing an input of this long side gets unless a sigma is given: in proportion to the input, so a
 * defect is smoothed over the same share of the item at 448 as at 224 (a fixed 4 px halved it, and a single noisy
 * patch counted for more). Screw at 448: image AUROC 0.9545 → 0.9578, pixel 0.797 → 0.806; bottle at 448:
 * 0.9992 → 0.9984, pixel 0.963 → 0.966. A reference set keeps the sigma it was calibrated with.
 */
export const defaultSigma = (size: number): number => (SIGMA_PER_224 * size) / 224;

/**
 * DEFAULT_SETTINGS, then the backbone's defaults, then the caller's overrides (undefined values do not count); the
 * sigma follows the input size unless the caller or the backbone's defaults give one.
 */
export function resolveSettings(
  manifest: Parameters<typeof backboneDefaults>[0],
  overrides: Partial<EngineSettings> = {},
): EngineSettings {
  const given = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  ) as Partial<EngineSettings>;
  const backbone = backboneDefaults(manifest);
  const s: EngineSettings = { ...DEFAULT_SETTINGS, ...backbone, ...given };
  return { ...s, sigma: given.sigma ?? backbone.sigma ?? defaultSigma(s.size), taps: [...s.taps] };
}

export const DEFAULT_SETTINGS: EngineSettings = {
  size: 224,
  aspect: 1,
  roi: null,
  resize: 'stretch',
  margin: 0,
  taps: ['block_5_add', 'block_6_expand_relu', 'block_12_add', 'block_13_expand_relu'],
  poolSize: 3,
  dim: 128,
  reduction: 'random',
  projectionSeed: 1,
  tapNorm: 'none',
  photometric: 'none',
  pose: 'none',
  sigma: defaultSigma(224),
};

const FEATURE_KEYS: (keyof FeatureSettings)[] = [
  'size',
  'aspect',
  'roi',
  'resize',
  'margin',
  'taps',
  'poolSize',
  'dim',
  'reduction',
  'projectionSeed',
  'tapNorm',
  'photometric',
  'pose',
];

export function featureSettings(s: FeatureSettings): FeatureSettings {
  const out = {} as Record<string, unknown>;
  for (const k of FEATURE_KEYS) {
    const v = s[k];
    out[k] = Array.isArray(v) ? [...v] : v && typeof v === 'object' ? { ...v } : v;
  }
  return out as unknown as FeatureSettings;
}

/** Names of the feature settings that differ (empty when features are comparable). */
export function featureDifferences(a: FeatureSettings, b: FeatureSettings): string[] {
  return FEATURE_KEYS.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map(
    (k) => `${k}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`,
  );
}

export function validateSettings(s: EngineSettings, largestStride: number): void {
  const bad = (what: string) => new Error(`engine settings: ${what}`);
  if (!Number.isInteger(s.size) || s.size < largestStride || s.size % largestStride !== 0 || s.size > MAX_INPUT_SIZE) {
    throw bad(
      `size ${s.size} must be a positive multiple of the largest tap stride (${largestStride}), at most ${MAX_INPUT_SIZE}`,
    );
  }
  if (!(s.aspect >= 0.1 && s.aspect <= 10)) throw bad(`aspect ${s.aspect} must be a width/height ratio from 0.1 to 10`);
  if (s.roi !== null) {
    const r = s.roi;
    const ok = [r?.x, r?.y, r?.width, r?.height].every((v) => typeof v === 'number' && Number.isFinite(v));
    if (
      !ok ||
      r.x < 0 ||
      r.y < 0 ||
      r.width <= 0 ||
      r.height <= 0 ||
      r.x + r.width > 1 + 1e-9 ||
      r.y + r.height > 1 + 1e-9
    ) {
      throw bad(`roi ${JSON.stringify(r)} must be {x, y, width, height} in shares of the frame, inside 0..1`);
    }
  }
  if (!Number.isInteger(s.margin) || s.margin < 0 || (2 * s.margin) % largestStride !== 0) {
    throw bad(`margin ${s.margin} must be ≥ 0 with 2·margin a multiple of the largest tap stride (${largestStride})`);
  }
  if (!isResizeMode(s.resize)) throw bad(`resize "${s.resize}" must be ${resizeModesText()}`);
  if (!Array.isArray(s.taps) || s.taps.length === 0) throw bad('taps must name at least one backbone output');
  if (!Number.isInteger(s.poolSize) || s.poolSize < 1 || s.poolSize % 2 === 0)
    throw bad(`poolSize ${s.poolSize} must be an odd positive integer`);
  if (!Number.isInteger(s.dim) || s.dim < 1) throw bad(`dim ${s.dim} must be a positive integer`);
  if (!['random', 'average'].includes(s.reduction))
    throw bad(`reduction "${s.reduction}" must be 'random' or 'average'`);
  if (!['none', 'l2'].includes(s.tapNorm)) throw bad(`tapNorm "${s.tapNorm}" must be 'none' or 'l2'`);
  if (!['none', 'standardize'].includes(s.photometric))
    throw bad(`photometric "${s.photometric}" must be 'none' or 'standardize'`);
  if (!isPoseMode(s.pose)) throw bad(`pose "${s.pose}" must be 'none' or 'level'`);
  if (!(s.sigma >= 0)) throw bad(`sigma ${s.sigma} must be ≥ 0`);
}

/**
 * The fitted input area (before the mirrored margin): the long side is `size`, the short side follows `aspect`,
 * rounded to a multiple of `stride` (at least one stride).
 */
export function inputShape(
  s: Pick<FeatureSettings, 'size' | 'aspect'>,
  stride: number,
): { width: number; height: number } {
  const short = (long: number) => Math.max(stride, Math.round(long / stride) * stride);
  const aspect = s.aspect ?? 1;
  return aspect >= 1
    ? { width: s.size, height: short(s.size / aspect) }
    : { width: short(s.size * aspect), height: s.size };
}

/** A reference set written before a setting existed was built with that setting's old implied value. */
export function withFeatureDefaults<T extends Partial<FeatureSettings>>(
  s: T,
): T & Pick<FeatureSettings, 'aspect' | 'roi' | 'pose'> {
  return { ...s, aspect: s.aspect ?? 1, roi: s.roi ?? null, pose: s.pose ?? 'none' }; // keeps the key order of a newer set (bytes round-trip)
}
