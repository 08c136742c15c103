/**
 * calibration/<product>/product.json: the product's name and calibration settings. Declared once, as a zod schema:
 * types, defaults, ranges and unknown-field refusal; calibration/product.schema.json is generated from it
 * (`npm run schema:product`, checked by tests/products/schemaDoc.test.ts).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { closedObject, issueLine, want } from '../schema/format.ts';
import { roiSchema } from '../schema/roi.ts';
import { MAX_TOP_SHARE } from '../verdict/pool.ts';
import { AUGMENTATIONS } from '../vision/augment.ts';
import { POSES } from '../vision/pose.ts';
import { MAX_INPUT_SIZE } from '../vision/settings.ts';
import { RESIZE_MODES, resizeModesText, type Rect } from '../vision/types.ts';
import type { Pins } from '../calibrate/tune/candidates.ts';
import { DEFAULT_LATENCY_BUDGET_MS } from '../calibrate/tune/budget.ts';

/** The defaults of product.json's fields (the schema below declares them from here; the dashboard's targets use them). */
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

const ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** A share of the model input, for a region's rectangle. */
const share = () =>
  z
    .number({ error: want('a number in [0, 1] (share of the image)') })
    .min(0)
    .max(1);

const region = closedObject(
  {
    name: z.string({ error: want('a string') }).optional(),
    x: share(),
    y: share(),
    w: share().describe('x + w ≤ 1'),
    h: share().describe('y + h ≤ 1'),
    tolerance: z
      .number({
        error: want(
          'a number in (0, 100] (2 = twice the usual deviation allowed); use "ignore": true to leave a region out',
        ),
      })
      .gt(0)
      .max(100)
      .describe('2 = twice the usual deviation allowed here.')
      .optional(),
    ignore: z
      .boolean({ error: want('true or false') })
      .describe('Leave this region out of the score.')
      .optional(),
  },
  'must be an object like {"x": 0, "y": 0, "w": 0.5, "h": 0.5, "tolerance": 2}',
)
  .refine((r) => r.x + r.w <= 1 + 1e-9, { path: ['w'], error: 'x + w must not exceed 1' })
  .refine((r) => r.y + r.h <= 1 + 1e-9, { path: ['h'], error: 'y + h must not exceed 1' })
  .refine((r) => r.tolerance !== undefined || r.ignore === true, {
    error: 'needs "tolerance" (a number) or "ignore": true',
  })
  // The refinement above, spelt out for the generated JSON Schema (zod cannot translate a refinement).
  .meta({ anyOf: [{ required: ['tolerance'] }, { required: ['ignore'], properties: { ignore: { const: true } } }] });

const engine = closedObject(
  {
    backbone: z
      .string({ error: want('a backbone id such as "mobilenet_v2-features"') })
      .regex(/^[\w.-]{1,64}$/)
      .describe('Backbone id from the station\'s pool, e.g. "mobilenet_v2-features" or "inception_v3-features".')
      .optional(),
    inputSize: z
      .int({
        error: want(`the model input's long side, a multiple of 32 from 32 to ${MAX_INPUT_SIZE} (e.g. 224 or 448)`),
      })
      .min(32)
      .max(MAX_INPUT_SIZE)
      .multipleOf(32)
      .describe('Long side of the model input in pixels (224 or 448 are searched).')
      .optional(),
    aspect: z
      .enum(['square', 'native'], { error: want('"square" or "native" (the items\' own shape)') })
      .describe(
        "square: the input is a square; native: it has the items' own shape (the median of the good images), so a long part is not squeezed.",
      )
      .optional(),
    augment: z
      .enum(AUGMENTATIONS, { error: want(AUGMENTATIONS.map((a) => `"${a}"`).join(', ')) })
      .describe(
        'Extra views of each good image in the reference set: mirror images (flips), every quarter turn and mirror (turns), for items placed in any orientation, the turns each turned a further 45° (spin), for items lying at any angle, or small turns (±8°) and shifts (±4 %) (jitter), for items placed by hand a little differently each time.',
      )
      .optional(),
    pose: z
      .enum(POSES, { error: want('"none" or "level"') })
      .describe(
        'level: each photo is turned so its item lies level, the same end first, before it is judged: for long items placed at any angle (a screw, a knife blank). Unpinned, a product with fewer than 20 good images of such items levels by itself; not with a roi.',
      )
      .optional(),
  },
  'must be an object like {"backbone": "mobilenet_v2-features", "inputSize": 448, "aspect": "native"}',
);

/** What a product.json may hold, with its defaults and ranges; the descriptions become the JSON Schema's. */
export const productFileSchema = closedObject(
  {
    $schema: z.string().optional(),
    name: z
      .string({ error: want('a non-empty string such as "Walnut bowl"') })
      .trim()
      .min(1)
      .describe('Shown to makers and leads, e.g. "Walnut bowl".'),
    inputMode: z
      .enum(RESIZE_MODES, { error: want(resizeModesText('"')) })
      .default(PRODUCT_DEFAULTS.inputMode)
      .describe(
        'How an image is fitted to the square model input: keep the whole item with padding, centre crop, or stretch it to fill (the default: a fixed camera gives every item the same aspect, so stretching changes all alike, and the whole grid sees the item; use pad when calibration images come in mixed aspects).',
      ),
    tolerance: closedObject(
      {
        failRate: z
          .number({ error: want('a number in (0, 0.5) — the share of good items allowed to fail, e.g. 0.01') })
          .gt(0)
          .lt(0.5)
          .default(PRODUCT_DEFAULTS.tolerance.failRate)
          .describe("Target share of good items judged 'fail' (0.01 = 1%)."),
        reviewRate: z
          .number({ error: want('a number in [0, 0.9) — the share of good items sent to review, e.g. 0.1') })
          .min(0)
          .lt(0.9)
          .default(PRODUCT_DEFAULTS.tolerance.reviewRate)
          .describe(
            "Target share of good items sent to 'review' (between the two thresholds). failRate + reviewRate < 1.",
          ),
      },
      'must be an object like {"failRate": 0.01, "reviewRate": 0.1}',
    )
      .refine((t) => t.failRate + t.reviewRate < 1, { error: 'failRate + reviewRate must be below 1' })
      .prefault({}),
    minGoodImages: z
      .int({ error: want('a whole number ≥ 3 (10-20 recommended)') })
      .min(3)
      .default(PRODUCT_DEFAULTS.minGoodImages)
      .describe(
        'Fewer distinct readable good images than this stops calibration. 10-20 recommended; ~100 or more for a 1% fail rate resting on observed scores.',
      ),
    placedConsistently: z
      .boolean({ error: want('true or false') })
      .default(PRODUCT_DEFAULTS.placedConsistently)
      .describe(
        "Items sit in the same place and orientation (a jig). Enables per-location tolerance: each place's score is measured against the spread good items show there.",
      ),
    regions: z
      .array(region, { error: want('a list of {x, y, w, h, tolerance} rectangles') })
      .default([])
      .describe(
        'Rectangles (shares of the model input, after pad/crop) whose tolerance is scaled, or which are ignored.',
      ),
    coresetSize: z
      .int({ error: want(`a whole number from 16 to ${MAX_CORESET} (patches kept in the bank)`) })
      .min(16)
      .max(MAX_CORESET)
      .describe("Patches kept in the reference set's bank (greedy coreset). Default 10000.")
      .optional(),
    scoreTopShare: z
      .number({ error: want(`a number from 0 (the most deviating spot) to ${MAX_TOP_SHARE}`) })
      .min(0)
      .max(MAX_TOP_SHARE)
      .default(PRODUCT_DEFAULTS.scoreTopShare)
      .describe(
        "Which number is judged: 0 = the item's single most deviating spot (suits small defects on calm items); e.g. 0.1 = the mean of its most deviating 10 % of patches (suits surfaces whose defects spread and whose hottest patch is noisy). Bands are calibrated with the same choice.",
      ),
    seed: z
      .int({ error: want('a whole number') })
      .default(PRODUCT_DEFAULTS.seed)
      .describe('Seed for folds, coreset and bootstrap: same images + same seed = same version.'),
    roi: roiSchema
      .nullable()
      .optional()
      .describe(
        'Where the item sits in the camera frame, in shares of the frame: the engine looks only there, so its pixels go to the item and not the bench. Not searched. x + width ≤ 1, y + height ≤ 1, width and height ≥ 0.05.',
      ),
    engine: engine
      .optional()
      .describe(
        'Engine settings to pin. Calibration chooses every setting not written here itself (self-tuning: the candidate that best separates synthetic defects and rejects from held-out good images within latencyBudgetMs); a written scoreTopShare is pinned too.',
      ),
    latencyBudgetMs: z
      .number({ error: want('a number of milliseconds from 5 to 10000 (capture to score)') })
      .min(5)
      .max(10_000)
      .default(PRODUCT_DEFAULTS.latencyBudgetMs)
      .describe(
        "Capture-to-score time the chosen configuration must stay within on the bench's CPU (measured during self-tuning).",
      ),
    keepImages: z
      .array(
        // Length is checked as written, emptiness after trimming (a name of spaces is no name).
        z
          .string({ error: want('an image name as the calibration report gives it, e.g. "good/odd-photo.jpg"') })
          .max(500)
          .trim()
          .min(1),
        { error: want('a list of image names as the calibration report gives them, e.g. ["good/odd-photo.jpg"]') },
      )
      .max(10_000)
      .default([])
      .describe(
        'Good images to use although calibration\'s screen flags them as not belonging (too small, blank, animated, shaped or sized unlike the others, or scored far outside the others), named as the report names them, e.g. "good/odd-photo.jpg".',
      ),
  },
  'must hold a JSON object like {"name": "Walnut bowl"}',
).meta({
  $id: 'product.schema.json',
  title: 'Bench QA station: calibration/<product>/product.json',
  description:
    "A product's name and calibration settings. The folder name is the product id. Validated on load by station/products/productConfig.ts, whose zod schema this file is generated from (npm run schema:product).",
  examples: [
    { name: 'Walnut bowl' },
    {
      name: 'Glazed tile',
      inputMode: 'pad',
      tolerance: { failRate: 0.01, reviewRate: 0.1 },
      minGoodImages: 15,
      placedConsistently: true,
      regions: [{ name: 'glaze pool', x: 0.3, y: 0.3, w: 0.4, h: 0.4, tolerance: 1.5 }],
    },
  ],
});

type ProductFile = z.output<typeof productFileSchema>;

/** A product.json as calibration uses it. */
export type ProductConfig = Omit<ProductFile, '$schema' | 'roi' | 'engine'> & {
  /** Product id: the calibration folder's name. */
  id: string;
  /** The part of the frame the item occupies, in shares; the rest (the bench) is never looked at. */
  roi: Rect | null;
  /** Engine choices fixed by the product (not searched by self-tuning); scoreTopShare counts when written. */
  pins: Pins;
};

/** Validate a parsed product.json. `file` names the file in messages; `id` is the folder name. */
export function validateProductConfig(raw: unknown, file: string, id: string): ProductConfig {
  if (!ID_RE.test(id))
    throw new Error(
      `${file}: product folder name "${id}" must be 1-64 letters, digits, '.', '_' or '-' (it becomes the product id)`,
    );
  const r = productFileSchema.safeParse(raw);
  if (!r.success) throw new Error(issueLine(file, r.error));
  const { $schema: _, roi, engine: e = {}, regions, ...rest } = r.data;
  const pins: Pins = {
    ...(e.backbone !== undefined ? { backbone: e.backbone } : {}),
    ...(e.inputSize !== undefined ? { size: e.inputSize } : {}),
    ...(e.aspect !== undefined ? { aspect: e.aspect } : {}),
    ...(e.augment !== undefined ? { augment: e.augment } : {}),
    ...(e.pose !== undefined ? { pose: e.pose } : {}),
    // Written, not defaulted: a scoreTopShare in the file is the product's choice, so self-tuning keeps it.
    ...((raw as Record<string, unknown>).scoreTopShare !== undefined ? { topShare: rest.scoreTopShare } : {}),
  };
  if (pins.pose === 'level' && roi)
    throw new Error(
      `${file}: engine.pose "level" turns the whole photo, so it cannot be used with a roi: leave one out`,
    );
  // "ignore": false means the same as no "ignore": leave the key out so equal regions compare equal.
  const kept = regions.map(({ ignore, ...g }) => (ignore ? { ...g, ignore } : g));
  return { id, ...rest, regions: kept, roi: roi ?? null, pins };
}

/** Read and validate <dir>/product.json; id defaults to the folder name. */
export function loadProductConfig(file: string, id: string): ProductConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new Error(
        `${file} is missing: create it with at least {"name": "<product name>"} (see calibration/product.schema.json)`,
      );
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
