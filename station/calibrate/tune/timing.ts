/**
 * Capture-to-score timing as the station runs it: fit + backbone + score of a decoded frame against a bank of the
 * size the product will have (a small product's search banks are smaller, and kNN time grows with the bank).
 */
import type { Engine } from '../../vision/engine.ts';
import type { ReferenceSet } from '../../vision/referenceSet.ts';
import type { DecodedImage } from '../../vision/types.ts';

export interface InspectionTiming {
  /** Capture-to-score of the decoded frame, ms. */
  ms: number;
  /** Of which the nearest-neighbour search, ms. */
  knnMs: number;
  /** Patches of the item's feature grid (what the kNN search compares with every bank row). */
  patches: number;
}

/**
 * Each of `runs` inspections of `images` in turn, after one warm-up, against `set` with its bank grown to `bankSize`
 * rows: only the bank's size matters for timing, so its rows repeat up to the size the product will have.
 */
export async function timeInspections(
  engine: Engine,
  images: DecodedImage[],
  set: ReferenceSet,
  bankSize: number,
  runs: number,
): Promise<InspectionTiming[]> {
  const bank = new Float32Array(bankSize * set.dim);
  for (let r = 0; r < bankSize; r++)
    bank.set(set.bank.subarray((r % set.bankSize) * set.dim, ((r % set.bankSize) + 1) * set.dim), r * set.dim);
  const timed: ReferenceSet = { ...set, bank, bankSize, bankImages: undefined };
  const out: InspectionTiming[] = [];
  for (let k = 0; k <= runs; k++) {
    const t = performance.now();
    const r = await engine.inspectDecoded(images[k % images.length], timed);
    const ms = performance.now() - t;
    if (k > 0) out.push({ ms, knnMs: r.timings.scoringMs, patches: r.embedding.gridW * r.embedding.gridH });
  }
  return out;
}
