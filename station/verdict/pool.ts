/**
 * From a patch-score grid to one number. The maximum suits small defects (a chip, a pinhole) on items
 * that are mostly calm; the mean of the top share of the item suits surfaces whose defects spread
 * (an uneven glaze, a frayed edge) and whose single hottest patch is noisy. Padding cells (mask 0) and
 * non-finite cells never count.
 */

/** Largest share of the item a product may pool over: beyond half, a defect is diluted by good surface. */
export const MAX_TOP_SHARE = 0.5;

export function isTopShare(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v <= MAX_TOP_SHARE;
}

/**
 * topShare 0 → the maximum; otherwise the mean of the ceil(topShare · n) highest of the n counted cells
 * (finite, and content where a mask is given).
 */
export function poolScores(values: ArrayLike<number>, topShare = 0, contentMask?: ArrayLike<number>): number {
  if (!isTopShare(topShare)) throw new Error(`top share must be between 0 and ${MAX_TOP_SHARE}, got ${topShare}`);
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++)
    if (Number.isFinite(values[i]) && (!contentMask || contentMask[i])) finite.push(values[i]);
  if (finite.length === 0) return 0;
  if (topShare === 0) return finite.reduce((a, b) => Math.max(b, a), -Infinity);
  const k = Math.max(1, Math.ceil(topShare * finite.length));
  finite.sort((a, b) => b - a);
  let s = 0;
  for (let i = 0; i < k; i++) s += finite[i];
  return s / k;
}
