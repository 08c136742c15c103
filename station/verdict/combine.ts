/**
 * Combining the scores of two configurations (pure): each member's score is put on a common scale by its own
 * held-out good scores — how many robust spreads it lies above their median — and the item's combined score is
 * the mean of its members'. Members of different backbones see different things, so the mean of the two can
 * separate defects better than either alone.
 */
import { lowerMedian } from '../shared/numbers.ts';

/** Where a member's good items lie: the median of their held-out scores and their robust spread. */
export interface GoodScale {
  centre: number;
  spread: number;
}

/** 1.4826 × MAD estimates a normal spread; a degenerate spread falls back to the mean absolute deviation, then 1. */
export function goodScale(heldOutGood: ArrayLike<number>): GoodScale {
  const xs = Array.from(heldOutGood);
  if (xs.length === 0) throw new Error('a member needs held-out good scores to be combined');
  const centre = lowerMedian(xs);
  const dev = xs.map((x) => Math.abs(x - centre));
  const mad = 1.4826 * lowerMedian(dev);
  const mean = dev.reduce((a, b) => a + b, 0) / dev.length;
  return { centre, spread: mad > 0 ? mad : mean > 0 ? mean : 1 };
}

/** A member's score in good-spreads above its good median. */
export const inGoodSpreads = (score: number, scale: GoodScale): number => (score - scale.centre) / scale.spread;

/** Item by item, the mean of the members' scores, each in good-spreads above its good median. */
export function combineScores(members: { scores: ArrayLike<number>; scale: GoodScale }[]): number[] {
  const n = members[0]?.scores.length ?? 0;
  if (members.some((m) => m.scores.length !== n)) throw new Error('combined members must score the same items');
  const out = new Array<number>(n).fill(0);
  for (const { scores, scale } of members)
    for (let i = 0; i < n; i++) out[i] += inGoodSpreads(scores[i], scale) / members.length;
  return out;
}
