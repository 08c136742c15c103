/**
 * A reference set with some of its good images taken out: their bank rows and their image embeddings go. Calibration
 * uses it when its screen leaves out a good image after the held-out folds were built: each fold's bank loses that
 * image's rows instead of being chosen again (a coreset selection is most of a calibration's time). The bank keeps
 * the others' rows as chosen, so it covers their variation a little more coarsely than a fresh selection would: the
 * held-out scores it gives lean high, never low.
 */
import type { ReferenceSet } from './referenceSet.ts';

export function withoutImages(set: ReferenceSet, leave: ReadonlySet<string>): ReferenceSet {
  const owners = set.bankImages;
  if (!owners) throw new Error('reference set: a set read from a file does not know its rows’ images; rebuild it');
  const names = set.images.names;
  const gone = names.map((n) => leave.has(n));
  if (!gone.includes(true)) return set;
  const { dim } = set;
  const newIndex = new Int32Array(names.length);
  let kept = 0;
  for (const [i, g] of gone.entries()) newIndex[i] = g ? -1 : kept++;
  const imageEmbeddings = new Float32Array(kept * dim);
  for (const [i, g] of gone.entries()) {
    if (!g) imageEmbeddings.set(set.images.embeddings.subarray(i * dim, (i + 1) * dim), newIndex[i] * dim);
  }
  const rows: number[] = [];
  for (let r = 0; r < set.bankSize; r++) if (!gone[owners[r]]) rows.push(r);
  const bank = new Float32Array(rows.length * dim);
  for (const [k, r] of rows.entries()) bank.set(set.bank.subarray(r * dim, (r + 1) * dim), k * dim);
  return {
    ...set,
    bankSize: rows.length,
    bank,
    bankImages: Int32Array.from(rows, (r) => newIndex[owners[r]]),
    images: { names: names.filter((_, i) => !gone[i]), embeddings: imageEmbeddings },
  };
}
