/**
 * Capture-to-score timing as the station runs it: fit + backbone + score of a decoded frame against a bank of the
 * size the product will have (a small product's search banks are smaller, and kNN time grows with the bank).
 */
import type { Engine } from '../../vision/engine.ts';
import type { ItemRegion } from '../../vision/itemRegion.ts';
import type { DecodedImage, PatchEmbedding } from '../../vision/types.ts';

export interface InspectionTiming {
  /** Capture-to-score of the decoded frame, ms. */
  ms: number;
  /** Of which the nearest-neighbour search, ms. */
  knnMs: number;
  /** Patches of the item's feature grid (what the kNN search compares with every bank row). */
  patches: number;
}

/** Each of `runs` inspections of `images` in turn, after one warm-up, against a bank of `bankSize` rows. */
export async function timeInspections(
  engine: Engine,
  images: DecodedImage[],
  embs: PatchEmbedding[],
  bankSize: number,
  runs: number,
  itemRegion?: ItemRegion | null,
): Promise<InspectionTiming[]> {
  const set = engine.buildReferenceSet(
    embs,
    embs.map((_, k) => `timing-${k}`),
    { coresetSize: bankSize, seed: 1, itemRegion },
  );
  if (set.bankSize < bankSize) {
    // Only the bank's size matters for timing: repeat rows up to the size the product will have.
    const bank = new Float32Array(bankSize * set.dim);
    for (let r = 0; r < bankSize; r++)
      bank.set(set.bank.subarray((r % set.bankSize) * set.dim, ((r % set.bankSize) + 1) * set.dim), r * set.dim);
    Object.assign(set, { bank, bankSize });
  }
  const out: InspectionTiming[] = [];
  for (let k = 0; k <= runs; k++) {
    const t = performance.now();
    const r = await engine.inspectDecoded(images[k % images.length], set);
    const ms = performance.now() - t;
    if (k > 0) out.push({ ms, knnMs: r.timings.scoringMs, patches: r.embedding.gridW * r.embedding.gridH });
  }
  return out;
}
