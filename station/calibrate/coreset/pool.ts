/**
 * Coreset selections on worker threads (Piscina). Choosing a bank is most of a calibration's time (200 screw photos:
 * ~30 s per bank, seven banks) and runs on one core; the k-fold banks and the final bank are independent, so on a
 * 2-core bench two are chosen at once. The features travel in shared memory (no copy); the worker returns the row
 * indices.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { CoresetOptions } from '../../vision/coreset.ts';
import type { BuildOptions, CoresetSelect, Engine } from '../../vision/engine.ts';
import type { ReferenceSet } from '../../vision/referenceSet.ts';
import type { PatchEmbedding } from '../../vision/types.ts';

export interface CoresetJob {
  features: SharedArrayBuffer;
  n: number;
  dim: number;
  opts: CoresetOptions;
}

export interface CoresetPool {
  select: CoresetSelect;
  /** Workers a selection can run on at once. */
  readonly size: number;
  close(): Promise<void>;
}

/** What a caller of the pool needs: its selection, and how many run at once. */
export type CoresetThreads = Pick<CoresetPool, 'select' | 'size'>;

/** A reference set with its bank chosen on `threads` when given, else here on the calling thread. */
export function buildOn(
  threads: CoresetThreads | undefined,
  engine: Engine,
  embeddings: PatchEmbedding[],
  names: string[],
  opts: BuildOptions,
): ReferenceSet | Promise<ReferenceSet> {
  return threads
    ? engine.buildReferenceSetWith(threads.select, embeddings, names, opts)
    : engine.buildReferenceSet(embeddings, names, opts);
}

const ENTRY = new URL('./entry.mjs', import.meta.url).href;

export function coresetPool(size = availableParallelism()): CoresetPool {
  // Threads start when work arrives and end when idle, so an idle pool holds no memory and keeps no process alive.
  const piscina = new Piscina<CoresetJob, Int32Array>({
    filename: ENTRY,
    minThreads: 0,
    maxThreads: size,
    idleTimeout: 1000,
  });
  let closed = false;
  return {
    size,
    async select(features, n, dim, opts) {
      if (!(features.buffer instanceof SharedArrayBuffer) || features.byteOffset !== 0)
        throw new Error('coreset pool: the features must fill a SharedArrayBuffer');
      try {
        return await piscina.run({ features: features.buffer, n, dim, opts });
      } catch (e) {
        if (closed) throw new Error('coreset pool closed');
        throw e;
      }
    },
    async close() {
      closed = true;
      await piscina.destroy();
    },
  };
}

let shared: CoresetPool | undefined;

/** One pool per process, as many workers as cores: calibrations in one process share it rather than oversubscribe. */
export function sharedCoresetPool(): CoresetPool {
  shared ??= coresetPool();
  return shared;
}
