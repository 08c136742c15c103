/** Held-out scoring of good embeddings with the engine: k-fold, or leave-one-out when few. */
import type { CalibrationEngine, ItemScore } from './engine.ts';
import { heldOutScores } from './kfold.ts';
import type { ItemRegion } from '../vision/itemRegion.ts';

export interface HeldOutItems<B = unknown> {
  scores: ItemScore[];
  folds: number;
  method: 'k-fold' | 'leave-one-out';
  bankMembers: number[][];
  /** Each fold's bank, and the fold each item was held out in. */
  banks: B[];
  assignment: number[];
}

export interface HeldOutOptions<E> {
  seed: number;
  coresetSize?: number;
  folds?: number;
  onProgress?: (done: number, total: number) => void;
  /** Augmented views of each item: they join a fold's bank with their item, never score on their own. */
  views?: E[][];
  /** Where the items sit: the bench around them is not scored. */
  itemRegion?: ItemRegion | null;
}

/** The bank of fold `fold`, from the items `idx`. */
function foldBank<E, B>(engine: CalibrationEngine<E, B>, embs: E[], names: string[], opts: HeldOutOptions<E>) {
  const size = opts.coresetSize ?? engine.defaultCoresetSize;
  return (idx: number[], fold: number) =>
    engine.build(
      idx.map((i) => embs[i]),
      idx.map((i) => names[i]),
      {
        views: opts.views ? idx.map((i) => opts.views![i]) : undefined,
        itemRegion: opts.itemRegion,
        seed: opts.seed + 7919 * (fold + 1),
        // The final bank's size, not a share of it: k-center coverage depends on the number of centres, and a
        // fold bank with fewer centres covers the same variation more coarsely, which inflates held-out scores.
        coresetSize: size,
      },
    );
}

export async function heldOutItemScores<E, B>(
  engine: CalibrationEngine<E, B>,
  embs: E[],
  names: string[],
  opts: HeldOutOptions<E>,
): Promise<HeldOutItems<B>> {
  const r = await heldOutScores<B, ItemScore>(
    embs.length,
    { build: foldBank(engine, embs, names, opts), score: (i, bank) => engine.score(embs[i], bank) },
    { folds: opts.folds, seed: opts.seed, onProgress: opts.onProgress, buildsAtOnce: engine.buildsAtOnce },
  );
  return {
    scores: r.results,
    folds: r.folds,
    bankMembers: r.bankMembers,
    banks: r.banks,
    assignment: r.assignment,
    method: r.folds === embs.length ? 'leave-one-out' : 'k-fold',
  };
}

/**
 * Up to this share of a fold bank's rows, the leaving items' rows are taken out of it; beyond, the bank is chosen
 * again. A few rows fewer barely coarsen the bank (see foldBank), but k-center favours what is unlike the rest, so an
 * item of another product can own a fifth of a bank, and a bank a fifth smaller inflates the others' scores.
 */
export const MAX_PRUNED_SHARE = 0.02;

/** `bank` without the images `leaving`: taken out of it, or `rebuild` when they were much of it (MAX_PRUNED_SHARE). */
export async function bankWithout<B>(
  engine: Pick<CalibrationEngine<unknown, B>, 'without'>,
  bank: B,
  leaving: ReadonlySet<string>,
  rebuild: () => B | Promise<B>,
): Promise<B> {
  const pruned = engine.without(bank, leaving);
  return pruned.share <= MAX_PRUNED_SHARE ? pruned.set : rebuild();
}

/**
 * The held-out scores as if the items `leave` had never been good images: they go, and each fold bank that held
 * them loses them (engine.without, or chosen again, see MAX_PRUNED_SHARE) and scores its held-out items again.
 * Folds keep their items. `opts` must be the ones `held` was made with. Indices in the result are of the items
 * that stay.
 */
export async function heldOutWithout<E, B>(
  engine: CalibrationEngine<E, B>,
  held: HeldOutItems<B>,
  embs: E[],
  names: string[],
  leave: ReadonlySet<number>,
  opts: HeldOutOptions<E>,
): Promise<HeldOutItems<B>> {
  const newIndex: number[] = [];
  let kept = 0;
  for (let i = 0; i < embs.length; i++) newIndex.push(leave.has(i) ? -1 : kept++);
  const leaving = new Set([...leave].map((i) => names[i]));
  const build = foldBank(engine, embs, names, opts);
  const scores = new Array<ItemScore>(kept);
  const banks: B[] = [];
  let done = 0;
  for (const [f, bank] of held.banks.entries()) {
    const touched = held.bankMembers[f].some((i) => leave.has(i));
    const now = touched
      ? await bankWithout(engine, bank, leaving, () =>
          build(
            held.bankMembers[f].filter((i) => !leave.has(i)),
            f,
          ),
        )
      : bank;
    banks.push(now);
    for (let i = 0; i < embs.length; i++) {
      if (held.assignment[i] !== f || leave.has(i)) continue;
      scores[newIndex[i]] = touched ? await engine.score(embs[i], now) : held.scores[i];
      opts.onProgress?.(++done, kept);
    }
  }
  const assignment = held.assignment.filter((_, i) => !leave.has(i));
  return {
    ...held,
    scores,
    banks,
    folds: new Set(assignment).size,
    assignment,
    bankMembers: held.bankMembers.map((m) => m.filter((i) => !leave.has(i)).map((i) => newIndex[i])),
  };
}
