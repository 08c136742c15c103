/**
 * The latency a configuration will have (pure): its backbone's cost model (fit, backbone, heatmap: fixed ms plus ms
 * per input megapixel, from the manifest) plus the nearest-neighbour search, which grows with patches × bank rows
 * and barely with the backbone. A timing taken during the search moves with whatever else the machine does (on screw
 * the 448 input measured 46.7 ms one quiet run and 60.1 ms the next, either side of the 60 ms budget), so the budget
 * is judged on a prediction: the same images and seed choose the same configuration on any day. The timing is still
 * taken and reported beside it.
 */
import type { ModelManifest } from '../../../models/manifest.ts';

export type CaptureCost = NonNullable<ModelManifest['cost']>;

/**
 * Nearest-neighbour search per (item patch × bank row), ms, at the engine's 128 feature dimensions, on the reference
 * bench (2 cores): 784 tile patches against 10,000 rows took 14.9 ms (1.9 ns a pair), and `scripts/bench-model.ts
 * --cost` measured 1.87-2.09 ns over four runs.
 */
export const KNN_MS_PER_PATCH_ROW = 2.0e-6;

/**
 * Levelling a photo (vision/pose.ts: its item's mask on a half-size copy, then the turn), ms per photo megapixel:
 * 19-22 ms for a 512 × 512 screw photo on the reference bench (median of 50, three runs), 15 of them the mask.
 */
export const LEVEL_MS_PER_PHOTO_MEGAPIXEL = 80;

/** Predicted nearest-neighbour search of one item, ms. */
export const knnMs = (patches: number, bankRows: number): number => KNN_MS_PER_PATCH_ROW * patches * bankRows;

/** Predicted capture-to-score (ms) of one item whose model input has this many pixels, without the kNN search. */
export const predictMs = (cost: Pick<CaptureCost, 'fixedMs' | 'msPerMegapixel'>, inputPixels: number): number =>
  cost.fixedMs + (cost.msPerMegapixel * inputPixels) / 1e6;

/** Predicted capture-to-score (ms) of one item: the backbone's cost at this input plus the kNN search of its bank. */
export const predictCaptureMs = (
  cost: Pick<CaptureCost, 'fixedMs' | 'msPerMegapixel'>,
  item: { inputPixels: number; patches: number; bankRows: number },
): number => predictMs(cost, item.inputPixels) + knnMs(item.patches, item.bankRows);

/**
 * The least-squares line through (input pixels, ms) timings: what a backbone costs per megapixel and what every
 * item costs regardless (decoding, resizing). Needs two distinct sizes.
 */
export function fitCost(points: { inputPixels: number; ms: number }[]): { fixedMs: number; msPerMegapixel: number } {
  const xs = points.map((p) => p.inputPixels / 1e6);
  if (new Set(xs).size < 2) throw new Error('a cost model needs timings at two or more input sizes');
  const n = points.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = points.reduce((a, p) => a + p.ms, 0) / n;
  const sxy = points.reduce((a, p, i) => a + (xs[i] - mx) * (p.ms - my), 0);
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = sxy / sxx;
  // A slope at or below zero is noise on a model too small to time; charge it per pixel anyway so larger inputs
  // never look free.
  const msPerMegapixel = slope > 0 ? slope : my / mx;
  return { fixedMs: Math.max(0, slope > 0 ? my - slope * mx : 0), msPerMegapixel };
}
