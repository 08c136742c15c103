/**
 * calibration/<product>/product.json: the product's name and calibration settings.
 * Documented in calibration/product.schema.json; validated here with messages naming file and field.
 */
import { readFileSync } from 'node:fs';
import { isTopShare, MAX_TOP_SHARE } from '../verdict/pool.ts';
import type { Region } from '../verdict/regionNorm.ts';
import { AUGMENTATIONS, isAugmentation } from '../vision/augment.ts';
import { MAX_INPUT_SIZE } from '../vision/settings.ts';
import { isResizeMode, resizeModesText, type Rect, type ResizeMode } from '../vision/types.ts';
import type { Pins } from './tune/candidates.ts';
import { DEFAULT_LATENCY_BUDGET_MS } from './tune/pool.ts';

export interface ProductConfig {
  /** Product id: the calibration folder's name. */
  id: string;
  name: string;
  /** How an image is fitted to the model input: keep aspect with padding, centre crop, or stretch to fill. */
  inputMode: ResizeMode;
  tolerance: { failRate: number; reviewRate: number };
  /** Fewer good images than this stops calibration. */
  minGoodImages: number;
  /** Items sit in a jig/fixed place: enables per-location tolerance (see station/verdict/regionNorm.ts). */
  placedConsistently: boolean;
  regions: Region[];
  /** Reference-set bank size (patches kept by coreset subsampling); engine default when absent. */
  coresetSize?: number;
  /** Judge the mean of this share of the item's most deviating patches (0: the single most deviating spot). */
  scoreTopShare: number;
  seed: number;
  /** The part of the frame the item occupies, in shares; the rest (the bench) is never looked at. */
  roi: Rect | null;
  /** Engine choices fixed by the product (not searched by self-tuning); scoreTopShare counts when written. */
  pins: Pins;
  /** Capture-to-score the chosen configuration must stay within on the bench's CPU. */
  latencyBudgetMs: number;
  /** Good images (as the report names them, e.g. "good/odd.jpg") kept although calibration's screen flags them. */
  keepImages: string[];
}

export const PRODUCT_DEFAULTS = {
  inputMode: 'stretch' as const,
  tolerance: { failRate: 0.01, reviewRate: 0.1 },
  minGoodImages: 10,
  placedConsistently: false,
  scoreTopShare: 0,
  seed: 1,
  latencyBudgetMs: DEFAULT_LATENCY_BUDGET_MS,
};

/** A larger bank than this would not fit a bench's memory (200,000 patches × 128 dims × 4 bytes ≈ 100 MB) nor its latency budget. */
export const MAX_CORESET = 200_000;

const TOP_KEYS = ['$schema', 'name', 'inputMode', 'tolerance', 'minGoodImages', 'placedConsistently', 'regions', 'coresetSize', 'scoreTopShare', 'seed', 'roi', 'engine', 'latencyBudgetMs', 'keepImages'];
const ENGINE_KEYS = ['backbone', 'inputSize', 'aspect', 'augment'];
const ROI_KEYS = ['x', 'y', 'width', 'height'];
const TOL_KEYS = ['failRate', 'reviewRate'];
const REGION_KEYS = ['name', 'x', 'y', 'w', 'h', 'tolerance', 'ignore'];
const ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownKeys(o: Obj, allowed: string[], where: (k: string) => string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new Error(`${where(k)}: unknown field; known fields are ${allowed.filter((a) => a !== '$schema').join(', ')}`);
  }
}

/** Validate a parsed product.json. `file` names the file in messages; `id` is the folder name. */
export function validateProductConfig(raw: unknown, file: string, id: string): ProductConfig {
  const at = (field: string) => `${file}: field "${field}"`;
  if (!ID_RE.test(id))
    throw new Error(`${file}: product folder name "${id}" must be 1-64 letters, digits, '.', '_' or '-' (it becomes the product id)`);
  if (!isObj(raw)) throw new Error(`${file}: must hold a JSON object like {"name": "Walnut bowl"}`);
  unknownKeys(raw, TOP_KEYS, at);

  if (typeof raw.name !== 'string' || raw.name.trim() === '') throw new Error(`${at('name')} is required: a non-empty string such as "Walnut bowl"`);

  let inputMode: ProductConfig['inputMode'] = PRODUCT_DEFAULTS.inputMode;
  if (raw.inputMode !== undefined) {
    if (!isResizeMode(raw.inputMode))
      throw new Error(`${at('inputMode')} must be ${resizeModesText('"')}, got ${JSON.stringify(raw.inputMode)}`);
    inputMode = raw.inputMode;
  }

  const tolerance = { ...PRODUCT_DEFAULTS.tolerance };
  if (raw.tolerance !== undefined) {
    if (!isObj(raw.tolerance)) throw new Error(`${at('tolerance')} must be an object like {"failRate": 0.01, "reviewRate": 0.1}`);
    unknownKeys(raw.tolerance, TOL_KEYS, (k) => at(`tolerance.${k}`));
    const { failRate, reviewRate } = raw.tolerance;
    if (failRate !== undefined) {
      if (typeof failRate !== 'number' || !(failRate > 0 && failRate < 0.5))
        throw new Error(`${at('tolerance.failRate')} must be a number in (0, 0.5) — the share of good items allowed to fail, e.g. 0.01; got ${JSON.stringify(failRate)}`);
      tolerance.failRate = failRate;
    }
    if (reviewRate !== undefined) {
      if (typeof reviewRate !== 'number' || !(reviewRate >= 0 && reviewRate < 0.9))
        throw new Error(`${at('tolerance.reviewRate')} must be a number in [0, 0.9) — the share of good items sent to review, e.g. 0.1; got ${JSON.stringify(reviewRate)}`);
      tolerance.reviewRate = reviewRate;
    }
    if (tolerance.failRate + tolerance.reviewRate >= 1) throw new Error(`${at('tolerance')}: failRate + reviewRate must be below 1`);
  }

  let minGoodImages = PRODUCT_DEFAULTS.minGoodImages;
  if (raw.minGoodImages !== undefined) {
    if (!Number.isInteger(raw.minGoodImages) || (raw.minGoodImages as number) < 3)
      throw new Error(`${at('minGoodImages')} must be a whole number ≥ 3 (10-20 recommended), got ${JSON.stringify(raw.minGoodImages)}`);
    minGoodImages = raw.minGoodImages as number;
  }

  let placedConsistently = PRODUCT_DEFAULTS.placedConsistently;
  if (raw.placedConsistently !== undefined) {
    if (typeof raw.placedConsistently !== 'boolean') throw new Error(`${at('placedConsistently')} must be true or false`);
    placedConsistently = raw.placedConsistently;
  }

  const regions: Region[] = [];
  if (raw.regions !== undefined) {
    if (!Array.isArray(raw.regions)) throw new Error(`${at('regions')} must be a list of {x, y, w, h, tolerance} rectangles`);
    raw.regions.forEach((r: unknown, i: number) => { regions.push(validateRegion(r, (f) => at(`regions[${i}]${f ? `.${f}` : ''}`))); });
  }

  let coresetSize: number | undefined;
  if (raw.coresetSize !== undefined) {
    if (!Number.isInteger(raw.coresetSize) || (raw.coresetSize as number) < 16 || (raw.coresetSize as number) > MAX_CORESET)
      throw new Error(`${at('coresetSize')} must be a whole number from 16 to ${MAX_CORESET} (patches kept in the bank), got ${JSON.stringify(raw.coresetSize)}`);
    coresetSize = raw.coresetSize as number;
  }

  let scoreTopShare = PRODUCT_DEFAULTS.scoreTopShare;
  if (raw.scoreTopShare !== undefined) {
    const v = raw.scoreTopShare;
    if (!isTopShare(v))
      throw new Error(`${at('scoreTopShare')} must be a number from 0 (the most deviating spot) to ${MAX_TOP_SHARE}, got ${JSON.stringify(v)}`);
    scoreTopShare = v;
  }

  let seed = PRODUCT_DEFAULTS.seed;
  if (raw.seed !== undefined) {
    if (!Number.isInteger(raw.seed)) throw new Error(`${at('seed')} must be a whole number, got ${JSON.stringify(raw.seed)}`);
    seed = raw.seed as number;
  }

  const pins = validateEnginePins(raw.engine, at);
  if (raw.scoreTopShare !== undefined) pins.topShare = scoreTopShare;
  const roi = raw.roi === undefined || raw.roi === null ? null : validateRoi(raw.roi, at);
  let latencyBudgetMs = PRODUCT_DEFAULTS.latencyBudgetMs;
  if (raw.latencyBudgetMs !== undefined) {
    if (typeof raw.latencyBudgetMs !== 'number' || !(raw.latencyBudgetMs >= 5 && raw.latencyBudgetMs <= 10_000))
      throw new Error(`${at('latencyBudgetMs')} must be a number of milliseconds from 5 to 10000 (capture to score), got ${JSON.stringify(raw.latencyBudgetMs)}`);
    latencyBudgetMs = raw.latencyBudgetMs;
  }

  let keepImages: string[] = [];
  if (raw.keepImages !== undefined) {
    const k = raw.keepImages;
    if (!Array.isArray(k) || k.length > 10_000 || !k.every((n) => typeof n === 'string' && n.trim() !== '' && n.length <= 500))
      throw new Error(`${at('keepImages')} must be a list of image names as the calibration report gives them, e.g. ["good/odd-photo.jpg"], got ${JSON.stringify(k).slice(0, 120)}`);
    keepImages = k.map((n: string) => n.trim());
  }

  return { id, name: raw.name.trim(), inputMode, tolerance, minGoodImages, placedConsistently, regions, coresetSize, scoreTopShare, seed, roi, pins, latencyBudgetMs, keepImages };
}

function validateEnginePins(e: unknown, at: (f: string) => string): Pins {
  if (e === undefined) return {};
  if (!isObj(e)) throw new Error(`${at('engine')} must be an object like {"backbone": "mobilenet_v2-features", "inputSize": 448, "aspect": "native"}`);
  unknownKeys(e, ENGINE_KEYS, (k) => at(`engine.${k}`));
  const pins: Pins = {};
  if (e.backbone !== undefined) {
    if (typeof e.backbone !== 'string' || !/^[\w.-]{1,64}$/.test(e.backbone)) throw new Error(`${at('engine.backbone')} must be a backbone id such as "mobilenet_v2-features", got ${JSON.stringify(e.backbone)}`);
    pins.backbone = e.backbone;
  }
  if (e.inputSize !== undefined) {
    if (!Number.isInteger(e.inputSize) || (e.inputSize as number) < 32 || (e.inputSize as number) > MAX_INPUT_SIZE || (e.inputSize as number) % 32 !== 0)
      throw new Error(`${at('engine.inputSize')} must be the model input's long side, a multiple of 32 from 32 to ${MAX_INPUT_SIZE} (e.g. 224 or 448), got ${JSON.stringify(e.inputSize)}`);
    pins.size = e.inputSize as number;
  }
  if (e.aspect !== undefined) {
    if (e.aspect !== 'square' && e.aspect !== 'native') throw new Error(`${at('engine.aspect')} must be "square" or "native" (the items' own shape), got ${JSON.stringify(e.aspect)}`);
    pins.aspect = e.aspect;
  }
  if (e.augment !== undefined) {
    if (!isAugmentation(e.augment)) throw new Error(`${at('engine.augment')} must be ${AUGMENTATIONS.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(e.augment)}`);
    pins.augment = e.augment;
  }
  return pins;
}

function validateRoi(r: unknown, at: (f: string) => string): Rect {
  if (!isObj(r)) throw new Error(`${at('roi')} must be an object like {"x": 0.2, "y": 0.1, "width": 0.6, "height": 0.8} (shares of the frame)`);
  unknownKeys(r, ROI_KEYS, (k) => at(`roi.${k}`));
  for (const k of ROI_KEYS) {
    const v = r[k];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${at(`roi.${k}`)} is required: a number in [0, 1] (share of the frame), got ${JSON.stringify(v)}`);
  }
  const { x, y, width, height } = r as unknown as Rect;
  if (width < 0.05 || height < 0.05) throw new Error(`${at('roi')}: width and height must each be at least 0.05 of the frame`);
  if (x + width > 1 + 1e-9 || y + height > 1 + 1e-9) throw new Error(`${at('roi')}: x + width and y + height must not exceed 1`);
  return { x, y, width, height };
}

function validateRegion(r: unknown, at: (f?: string) => string): Region {
  if (!isObj(r)) throw new Error(`${at()} must be an object like {"x": 0, "y": 0, "w": 0.5, "h": 0.5, "tolerance": 2}`);
  unknownKeys(r, REGION_KEYS, (k) => at(k));
  for (const k of ['x', 'y', 'w', 'h'] as const) {
    const v = r[k];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${at(k)} is required: a number in [0, 1] (share of the image), got ${JSON.stringify(v)}`);
  }
  if ((r.x as number) + (r.w as number) > 1 + 1e-9) throw new Error(`${at('w')}: x + w must not exceed 1`);
  if ((r.y as number) + (r.h as number) > 1 + 1e-9) throw new Error(`${at('h')}: y + h must not exceed 1`);
  if (r.name !== undefined && typeof r.name !== 'string') throw new Error(`${at('name')} must be a string`);
  if (r.ignore !== undefined && typeof r.ignore !== 'boolean') throw new Error(`${at('ignore')} must be true or false`);
  if (r.tolerance !== undefined && (typeof r.tolerance !== 'number' || !(r.tolerance > 0 && r.tolerance <= 100)))
    throw new Error(`${at('tolerance')} must be a number in (0, 100] (2 = twice the usual deviation allowed); use "ignore": true to leave a region out`);
  if (r.tolerance === undefined && r.ignore !== true) throw new Error(`${at()} needs "tolerance" (a number) or "ignore": true`);
  return {
    ...(r.name !== undefined ? { name: r.name as string } : {}),
    x: r.x as number, y: r.y as number, w: r.w as number, h: r.h as number,
    ...(r.tolerance !== undefined ? { tolerance: r.tolerance as number } : {}),
    ...(r.ignore ? { ignore: true } : {}),
  };
}

/** Read and validate <dir>/product.json; id defaults to the folder name. */
export function loadProductConfig(file: string, id: string): ProductConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${file} is missing: create it with at least {"name": "<product name>"} (see calibration/product.schema.json)`);
    throw new Error(`${file} cannot be read (${code})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  return validateProductConfig(raw, file, id);
}
