/**
 * Coreset selections on worker threads. Choosing a bank is most of a calibration's time (200 screw photos: ~30 s per
 * bank, seven banks) and runs on one core; the k-fold banks and the final bank are independent, so on a 2-core
 * bench two are chosen at once. The features travel in shared memory (no copy); the worker returns the row indices.
 * Idle workers do not keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CoresetOptions } from '../../vision/coreset.ts';
import type { CoresetSelect } from '../../vision/engine.ts';

export interface CoresetJob {
  id: number;
  features: SharedArrayBuffer;
  n: number;
  dim: number;
  opts: CoresetOptions;
}
export type CoresetReply = { id: number; chosen: Int32Array } | { id: number; error: string };

interface Pending {
  job: CoresetJob;
  resolve: (chosen: Int32Array) => void;
  reject: (e: Error) => void;
}

export interface CoresetPool {
  select: CoresetSelect;
  /** Workers a selection can run on at once. */
  readonly size: number;
  close(): Promise<void>;
}

const ENTRY = new URL('./entry.mjs', import.meta.url);

export function coresetPool(size = availableParallelism()): CoresetPool {
  const queue: Pending[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  let workers = 0;
  let nextId = 1;

  function spawn(): Worker {
    const w = new Worker(ENTRY);
    workers++;
    w.on('message', (reply: CoresetReply) => {
      const p = busy.get(w);
      busy.delete(w);
      if (p) {
        if ('error' in reply) p.reject(new Error(reply.error));
        else p.resolve(reply.chosen);
      }
      idle.push(w);
      w.unref();
      next();
    });
    // A worker that dies (out of memory, a load failure) fails its job; the next job gets a fresh worker.
    const lost = (e: Error) => {
      const p = busy.get(w);
      busy.delete(w);
      const i = idle.indexOf(w);
      if (i >= 0) idle.splice(i, 1);
      workers--;
      p?.reject(new Error(`coreset worker: ${e.message}`));
      next();
    };
    w.once('error', lost);
    w.once('exit', (code) => {
      if (busy.has(w) || idle.includes(w)) lost(new Error(`exited with code ${code}`));
    });
    return w;
  }

  function next(): void {
    while (queue.length > 0 && (idle.length > 0 || workers < size)) {
      const p = queue.shift()!;
      const w = idle.pop() ?? spawn();
      busy.set(w, p);
      w.ref();
      w.postMessage(p.job);
    }
  }

  return {
    size,
    select(features, n, dim, opts) {
      if (!(features.buffer instanceof SharedArrayBuffer) || features.byteOffset !== 0)
        throw new Error('coreset pool: the features must fill a SharedArrayBuffer');
      return new Promise((resolve, reject) => {
        queue.push({
          job: { id: nextId++, features: features.buffer as SharedArrayBuffer, n, dim, opts },
          resolve,
          reject,
        });
        next();
      });
    },
    async close() {
      for (const p of [...queue.splice(0), ...busy.values()]) p.reject(new Error('coreset pool closed'));
      const all = [...idle, ...busy.keys()];
      idle.length = 0;
      busy.clear();
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

let shared: CoresetPool | undefined;

/** One pool per process, as many workers as cores: calibrations in one process share it rather than oversubscribe. */
export function sharedCoresetPool(): CoresetPool {
  shared ??= coresetPool();
  return shared;
}
