// Small numeric helpers several rooms use: one place, no imports.

/** An ascending copy as float64 (typed-array sort is numeric, and NaN sorts last). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** The middle value (the lower of the two middle ones for an even count): always one of the values. NaN when empty. */
export function lowerMedian(values: ArrayLike<number>): number {
  const a = sortedCopy(values);
  return a.length ? a[(a.length - 1) >> 1] : Number.NaN;
}

/** Bounding box (inclusive) of the pixels of a width×height mask or coverage map that are above zero, and their count. */
export function maskBounds(
  mask: ArrayLike<number>,
  width: number,
  height: number,
): { x0: number; y0: number; x1: number; y1: number; count: number } {
  let count = 0;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!(mask[y * width + x] > 0)) continue;
      count++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return { x0, y0, x1, y1, count };
}
