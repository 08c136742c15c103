// Small numeric helpers both the vision and verdict cores use: one place, no imports.

/** An ascending copy as float64 (typed-array sort is numeric, and NaN sorts last). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}
