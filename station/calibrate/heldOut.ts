/** Held-out scoring of good embeddings with the engine: k-fold, or leave-one-out when few. */
import type { CalibrationEngine, ItemScore } from './engine.ts';
import { heldOutScores } from './kfold.ts';
import type { ItemRegion } from '../vision/itemRegion.ts';

export interface HeldOutItems {
  scores: ItemScore[];
  folds: number;
  method: 'k-fold' | 'leave-one-out';
  bankMembers: number[][];
}

export async function heldOutItemScores<E, B>(
  engine: CalibrationEngine<E, B>,
  embs: E[],
  names: string[],
  opts: {
    seed: number;
    coresetSize?: number;
    folds?: number;
    onProgress?: (done: number, total: number) => void;
    /** Augmented views of each item: they join a fold's bank with their item, never score on their own. */
    views?: E[][];
    /** Where the items sit: the bench around them is not scored. */
    itemRegion?: ItemRegion | null;
  },
): Promise<HeldOutItems> {
  const size = opts.coresetSize ?? engine.defaultCoresetSize;
  const r = await heldOutScores<B, ItemScore>(
    embs.length,
    {
      build: (idx, fold) =>
        engine.build(
          idx.map((i) => embs[i]),
          idx.map((i) => names[i]),
          {
            views: opts.views ? idx.flatMap((i) => opts.views![i]) : undefined,
            itemRegion: opts.itemRegion,
            seed: opts.seed + 7919 * (fold + 1),
            // The final bank's size, not a share of it: k-center coverage depends on the number of centres, and a
            // fold bank with fewer centres covers the same variation more coarsely, which inflates held-out scores.
            coresetSize: size,
          },
        ),
      score: (i, bank) => engine.score(embs[i], bank),
    },
    { folds: opts.folds, seed: opts.seed, onProgress: opts.onProgress },
  );
  return {
    scores: r.results,
    folds: r.folds,
    bankMembers: r.bankMembers,
    method: r.folds === embs.length ? 'leave-one-out' : 'k-fold',
  };
}
