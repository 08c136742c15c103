/**
 * Capture-to-score timing as the station runs it: fit + backbone + score of a decoded frame against a bank of the
 * size the product will have (a small product's search banks are smaller, and kNN time grows with the bank).
 */
import type { Engine } from '../../vision/engine.ts';
import type { ItemRegion } from '../../vision/itemRegion.ts';
import type { DecodedImage, PatchEmbedding } from '../../vision/types.ts';

/** Milliseconds of each of `runs` inspections of `images` in turn, after one warm-up. */
export async function timeInspections(
  engine: Engine,
  images: DecodedImage[],
  embs: PatchEmbedding[],
  bankSize: number,
  runs: number,
  itemRegion?: ItemRegion | null,
): Promise<number[]> {
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
  const ms: number[] = [];
  for (let k = 0; k <= runs; k++) {
    const t = performance.now();
    await engine.score(await engine.embed(await engine.preprocess(images[k % images.length])), set);
    if (k > 0) ms.push(performance.now() - t);
  }
  return ms;
}
