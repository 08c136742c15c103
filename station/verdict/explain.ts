/** Explain by example: the accepted items an inspected item most resembles (image-level embedding). */

export interface ExampleMatch {
  index: number;
  name: string;
  distance: number;
}

/**
 * k nearest good reference images by Euclidean distance between image embeddings.
 * `references` is the reference set's stored image embeddings, row-major (count × dim).
 */
export function nearestExamples(
  query: Float32Array,
  references: Float32Array,
  names: readonly string[],
  k = 3,
): ExampleMatch[] {
  const dim = query.length;
  if (dim === 0) throw new Error('explain by example: the query image embedding is empty');
  if (references.length !== names.length * dim)
    throw new Error(
      `explain by example: ${names.length} names but ${references.length / dim} stored image embeddings of dim ${dim}`,
    );
  const all: ExampleMatch[] = [];
  for (let r = 0; r < names.length; r++) {
    let d = 0;
    const off = r * dim;
    for (let j = 0; j < dim; j++) {
      const t = query[j] - references[off + j];
      d += t * t;
    }
    all.push({ index: r, name: names[r], distance: Math.sqrt(d) });
  }
  all.sort((a, b) => a.distance - b.distance || a.index - b.index);
  return all.slice(0, Math.max(0, k));
}
