/**
 * Who owns a data folder right now: the running station, or a restore. The holder keeps an exclusive SQLite lock
 * on `<dataDir>/station.lock` (an fcntl lock underneath): the kernel drops it the moment the holder's process ends,
 * however it ends (SIGKILL, power cut), so there is never a stale lock to clean up, no PID that a later process may
 * reuse, and no port to guess (a station may listen anywhere, or on port 0).
 */
import Database from 'better-sqlite3';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'station.lock';
/** Who holds the lock, for the message of whoever is refused (the locked file itself cannot be read). */
const HOLDER_FILE = 'station.lock.json';

export interface DataDirLock {
  release(): void;
}

function holder(dataDir: string): string {
  try {
    const h = JSON.parse(readFileSync(path.join(dataDir, HOLDER_FILE), 'utf8')) as {
      what: string;
      pid: number;
      since: string;
    };
    return `${h.what}, process ${h.pid}, since ${h.since}`;
  } catch {
    return 'another process';
  }
}

/** Takes the data folder for `what` ('a running station', 'a restore'); throws, naming the holder, when taken. */
export function lockDataDir(dataDir: string, what: string): DataDirLock {
  const db = new Database(path.join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    throw new Error(
      `the data folder ${dataDir} is in use by ${holder(dataDir)} (it holds ${LOCK_FILE}); ` +
        'stop the station first (on a bench device: systemctl stop bench-qa)',
    );
  }
  writeFileSync(
    path.join(dataDir, HOLDER_FILE),
    JSON.stringify({ what, pid: process.pid, since: new Date().toISOString() }),
  );
  return {
    release() {
      if (!db.open) return;
      rmSync(path.join(dataDir, HOLDER_FILE), { force: true });
      db.close();
    },
  };
}
