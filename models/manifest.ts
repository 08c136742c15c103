/**
 * The model manifest: everything the station must know to feed a backbone and read its taps. Declared once as a zod
 * schema (the type is inferred from it); models/manifest-file.ts reads files with it.
 */
import { z } from 'zod';
import { closedObject, mustBe } from '../station/schema/format.ts';

const text = () => z.string({ error: mustBe('a string') });
const positive = () => z.number({ error: mustBe('a positive number') }).positive();
const num = () => z.number({ error: mustBe('a number') });
const triple = (what: string) => z.tuple([num(), num(), num()], { error: mustBe(what) });

const featureTap = closedObject({
  /** Output name in the ONNX graph. */
  name: text(),
  /** Input pixels per feature-map cell (8 → a 224 input gives a 28×28 map). */
  stride: positive(),
  channels: positive(),
  /**
   * Feature-map [H, W] at `input.size` (optional; valid-padded nets such as InceptionV3 lose a border, so H can be
   * less than size / stride).
   */
  mapSize: z.tuple([positive(), positive()], { error: mustBe('[height, width]') }).optional(),
});

export const manifestSchema = closedObject({
  /** Short id, also the file stem: `<id>.onnx` next to the manifest. */
  id: text(),
  file: text(),
  sha256: z.string({ error: mustBe('64 lowercase hex digits') }).regex(/^[0-9a-f]{64}$/),
  source: closedObject({
    package: text().optional(),
    version: text().optional(),
    url: text().optional(),
    note: text().optional(),
  }),
  licence: text(),
  input: closedObject({
    name: text(),
    /** Always NCHW for models the station runs. */
    layout: z.literal('NCHW', { error: mustBe('"NCHW"') }),
    /** Default square side; models with dynamic H/W accept other multiples of the largest stride. */
    size: positive(),
    dynamicSize: z.boolean({ error: mustBe('true or false') }),
    colour: z.enum(['RGB', 'BGR'], { error: mustBe('"RGB" or "BGR"') }),
    dtype: z.enum(['float32', 'float16'], { error: mustBe('"float32" or "float16"') }),
    /** pixel' = (pixel * scale - mean[c]) / std[c], pixel in 0..255. */
    scale: num(),
    mean: triple('three numbers, one per colour channel'),
    // A zero would divide by zero in every pixel of that channel.
    std: triple('three non-zero numbers, one per colour channel').refine((s) => s.every((v) => v !== 0), {
      error: mustBe('three non-zero numbers, one per colour channel'),
    }),
  }),
  taps: z.array(featureTap, { error: mustBe('a list of taps') }).min(1),
  /**
   * What one inspection costs with this backbone on the reference bench (2 cores): capture-to-score ≈ fixedMs +
   * msPerMegapixel × model-input megapixels, besides the nearest-neighbour search (calibrate/tune/cost.ts). The
   * self-tuning judges the latency budget on this, so the same images choose the same configuration however busy
   * the machine is. Without it, the tuner measures each candidate instead.
   */
  cost: closedObject({
    fixedMs: z.number({ error: mustBe('a number of milliseconds') }).nonnegative(),
    msPerMegapixel: positive(),
    /** Where and how the figures were measured. */
    measured: text(),
  }).optional(),
  /** ISO time the file was produced. */
  created: text(),
  /** What produced the file (converter and its version, or `model:add`), so stale outputs are rebuilt. */
  producedBy: text().optional(),
  /** Free-form remarks shown to users (e.g. how strides relate to map sizes). */
  notes: text().optional(),
});

export type ModelManifest = z.output<typeof manifestSchema>;
export type FeatureTap = ModelManifest['taps'][number];
