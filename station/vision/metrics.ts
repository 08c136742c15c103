/** Detection metrics over scores where higher means "more likely defective". Pure, exact (ties handled). */

import { sortedCopy } from '../shared/numbers.ts';

/**
 * Area under the ROC curve from the scores of positives (defective) and negatives (good): the probability that a
 * random positive scores above a random negative, ties counting half (Mann-Whitney U). O(n log n), so it also
 * serves millions of pixels.
 */
export function aurocFromGroups(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  if (positives.length === 0 || negatives.length === 0) {
    throw new Error(
      `AUROC needs both defective and good samples (got ${positives.length} defective, ${negatives.length} good)`,
    );
  }
  const p = sortedCopy(positives),
    n = sortedCopy(negatives);
  let below = 0; // negatives strictly below current positive value
  let u = 0;
  let j = 0;
  for (let i = 0; i < p.length; ) {
    const v = p[i];
    let same = 0;
    while (i + same < p.length && p[i + same] === v) same++;
    while (j < n.length && n[j] < v) j++;
    below = j;
    let ties = 0;
    while (j + ties < n.length && n[j + ties] === v) ties++;
    u += same * (below + ties / 2);
    i += same;
  }
  return u / (p.length * n.length);
}

/** AUROC from parallel arrays of scores and 0/1 labels. */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const pos: number[] = [],
    neg: number[] = [];
  for (let i = 0; i < scores.length; i++) (labels[i] ? pos : neg).push(scores[i]);
  return aurocFromGroups(pos, neg);
}

/** Best F1 over all thresholds "score ≥ t means defective", and the threshold that reaches it. */
export function f1Max(scores: ArrayLike<number>, labels: ArrayLike<number>): { f1: number; threshold: number } {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const totalPos = idx.reduce((s, i) => s + (labels[i] ? 1 : 0), 0);
  if (totalPos === 0) throw new Error('F1 needs at least one defective sample');
  let tp = 0,
    fp = 0,
    best = 0,
    bestT = Infinity;
  for (let k = 0; k < idx.length; k++) {
    if (labels[idx[k]]) tp++;
    else fp++;
    // Only evaluate at the end of a run of equal scores: a threshold cannot split ties.
    if (k + 1 < idx.length && scores[idx[k + 1]] === scores[idx[k]]) continue;
    const f1 = (2 * tp) / (2 * tp + fp + (totalPos - tp));
    if (f1 > best) {
      best = f1;
      bestT = scores[idx[k]];
    }
  }
  return { f1: best, threshold: bestT };
}

/** Percentile (0..100) by linear interpolation between order statistics. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const s = sortedCopy(values);
  const pos = (Math.min(100, Math.max(0, p)) / 100) * (s.length - 1);
  const lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
