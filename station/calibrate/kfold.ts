/**
 * Honest held-out scores of good images: each image is scored against a bank built from
 * the other folds only, never against a bank that holds its own patches.
 */
import { seededPermutation } from '../shared/random.ts';

/** Up to this many good images, use leave-one-out (each bank = all the others). */
export const LEAVE_ONE_OUT_MAX = 15;
export const DEFAULT_FOLDS = 5;

/** Fold number of each item (0..folds-1), balanced and shuffled by seed. */
export function planFolds(
  n: number,
  opts: { folds?: number; seed?: number } = {},
): { folds: number; assignment: number[] } {
  if (n < 2) throw new Error(`held-out scoring needs at least 2 good images, got ${n}`);
  const folds = Math.min(n, opts.folds ?? (n <= LEAVE_ONE_OUT_MAX ? n : DEFAULT_FOLDS));
  if (folds < 2) throw new Error(`held-out scoring needs at least 2 folds, got ${folds}`);
  const perm = seededPermutation(n, opts.seed ?? 1);
  const assignment = new Array<number>(n);
  perm.forEach((item, rank) => {
    assignment[item] = rank % folds;
  });
  return { folds, assignment };
}

export interface FoldScorer<B, S> {
  /** Build a bank from these item indices. */
  build(indices: number[], fold: number): B | Promise<B>;
  /** Score one item (by index) against a bank. */
  score(index: number, bank: B): S | Promise<S>;
}

export interface HeldOutResult<B, S> {
  results: S[];
  folds: number;
  assignment: number[];
  /** The item indices each fold's bank was built from (kept so tests and reports can check). */
  bankMembers: number[][];
  /** Each fold's bank (small: a coreset), for scoring again without some items (calibrate/heldOut.ts). */
  banks: B[];
}

/**
 * `buildsAtOnce` banks are built ahead while earlier folds score (worth it when builds run off the calling thread);
 * results do not depend on it.
 */
export async function heldOutScores<B, S>(
  n: number,
  scorer: FoldScorer<B, S>,
  opts: {
    folds?: number;
    seed?: number;
    onProgress?: (done: number, total: number) => void;
    buildsAtOnce?: number;
  } = {},
): Promise<HeldOutResult<B, S>> {
  const { folds, assignment } = planFolds(n, opts);
  const results = new Array<S>(n);
  const bankMembers: number[][] = Array.from({ length: folds }, () => []);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < folds; f++) if (assignment[i] !== f) bankMembers[f].push(i);
  }
  const banks: B[] = [];
  let done = 0;
  for await (const bank of banksInTurn(folds, (f) => scorer.build(bankMembers[f], f), opts.buildsAtOnce)) {
    const f = banks.push(bank) - 1;
    for (let i = 0; i < n; i++) {
      if (assignment[i] !== f) continue;
      results[i] = await scorer.score(i, bank);
      opts.onProgress?.(++done, n);
    }
  }
  return { results, folds, assignment, bankMembers, banks };
}

/**
 * Each fold's bank in fold order, with up to `ahead` builds under way at once: builds that run off the calling thread
 * (a coreset pool) overlap with the caller's scoring of the fold before.
 */
export async function* banksInTurn<B>(
  folds: number,
  build: (fold: number) => B | Promise<B>,
  ahead = 1,
): AsyncGenerator<B> {
  const builds: Promise<B>[] = [];
  const start = (f: number) => {
    builds[f] = Promise.resolve().then(() => build(f));
    builds[f].catch(() => {}); // awaited in its turn; until then its failure is not unhandled
  };
  const n = Math.max(1, ahead);
  for (let f = 0; f < Math.min(n, folds); f++) start(f);
  for (let f = 0; f < folds; f++) {
    const bank = await builds[f];
    if (f + n < folds) start(f + n);
    yield bank;
  }
}
