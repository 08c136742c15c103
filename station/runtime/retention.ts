/**
 * Evidence upkeep: at start, the leftovers of a kill mid-inspection; then retention, once at start and daily.
 * Inspection rows are kept forever; only their images go.
 */
import type { Store } from '../store/index.ts';
import type { Log } from '../shared/domain.d.ts';

const DAY_MS = 24 * 3600 * 1000;

/** Removes evidence images no row refers to and temp files. Call before anything is in flight. */
export async function sweepLeftovers(store: Store, log: Log): Promise<void> {
  try {
    const swept = await store.sweepOrphanEvidence();
    if (swept.removedFiles.length || swept.removedTempFiles.length) {
      log.info(
        `removed ${swept.removedFiles.length} evidence image(s) without an inspection row and ${swept.removedTempFiles.length} temp file(s) left by an interrupted run`,
      );
    }
  } catch (err) {
    log.warn(`could not clear leftovers in the evidence folder: ${(err as Error).message}`);
  }
}

/** Applies retention now and every day after; the returned function stops it. */
export function scheduleRetention(store: Store, evidenceDays: number, log: Log): () => void {
  const retain = () => {
    store
      .applyRetention(evidenceDays)
      .then((r) => {
        if (r.rowsMarked)
          log.info(`retention: evidence of ${r.rowsMarked} inspection(s) older than ${evidenceDays} days removed`);
      })
      .catch((err: Error) => log.warn(`retention: ${err.message}`));
  };
  retain();
  const timer = setInterval(retain, DAY_MS);
  // A pending retention run must not keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
