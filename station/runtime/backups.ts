/**
 * The nightly backup (config `backup`): at the configured local time the station backs up its own record through
 * its own connection (SQLite's online backup, in steps between inspections) and the reference sets, then removes
 * backups older than keepDays. A failed backup is logged and tried again the next night; inspecting goes on.
 */
import { resolvePath, type StationConfig } from '../config.ts';
import type { Log } from '../shared/domain.d.ts';
import { pruneBackups, takeBackup } from '../store/backup.ts';
import type { Store } from '../store/index.ts';

/** The next moment at local time "HH:MM" strictly after `now`. */
export function nextRunAt(at: string, now: Date): Date {
  const [h, m] = at.split(':').map(Number);
  const next = new Date(now);
  next.setHours(h, m, 0, 0);
  if (next <= now) next.setDate(next.getDate() + 1); // setDate, not +24 h: a DST night is 23 or 25 hours long
  return next;
}

/** Schedules the nightly backup when the config asks for one; the returned function stops it. */
export function scheduleBackups(config: StationConfig, store: Store, log: Log): () => void {
  const backup = config.backup;
  if (!backup) return () => {};
  const folder = resolvePath(config, backup.folder);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const runOnce = async () => {
    try {
      const { dir, manifest } = await takeBackup(store.db, store.dataDir, folder);
      log.info(`backup: ${manifest.rows.inspections} inspection(s) and the reference sets in ${dir}`);
      const removed = pruneBackups(folder, backup.keepDays);
      if (removed.length) log.info(`backup: removed ${removed.length} backup(s) older than ${backup.keepDays} days`);
    } catch (err) {
      log.error(`backup into ${folder} failed: ${(err as Error).message}`);
    }
  };
  const plan = () => {
    if (stopped) return;
    timer = setTimeout(() => void runOnce().finally(plan), nextRunAt(backup.at, new Date()).getTime() - Date.now());
    timer.unref();
  };
  plan();
  log.info(`nightly backup at ${backup.at} into ${folder}, kept ${backup.keepDays} days`);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
