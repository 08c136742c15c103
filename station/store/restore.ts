/**
 * Putting a backup back into a data folder. Refuses while a station (or another restore) holds the folder, checks
 * the backup with integrity_check before touching anything, moves the current record and reference sets aside
 * (never deletes them), copies the backup in, and checks again.
 */
import { chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { BACKUP_DB, type BackupManifest, checkDatabase, MANIFEST, REFERENCE_SETS_DIR } from './backup.ts';
import { lockDataDir } from './dataDirLock.ts';
import { latestSchemaVersion } from './migrations.ts';

export interface RestoreResult {
  manifest: BackupManifest;
  rows: BackupManifest['rows'];
  /** Where the data folder's previous record and reference sets now are; null when there were none. */
  setAside: string | null;
}

/** The backup's manifest, once its database has passed integrity_check and is not newer than this software. */
export function verifyBackup(backupDir: string): BackupManifest {
  const manifestFile = path.join(backupDir, MANIFEST);
  const file = path.join(backupDir, BACKUP_DB);
  if (!existsSync(manifestFile) || !existsSync(file)) {
    throw new Error(`${backupDir} is not a complete bench-qa backup (it needs ${MANIFEST} and ${BACKUP_DB})`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
  let check: ReturnType<typeof checkDatabase>;
  try {
    check = checkDatabase(file);
  } catch (err) {
    throw new Error(`the backup's database ${file} cannot be read: ${(err as Error).message}; nothing was restored`);
  }
  if (check.integrity !== 'ok') {
    throw new Error(`the backup's database ${file} fails integrity_check (${check.integrity}); nothing was restored`);
  }
  if (check.schemaVersion > latestSchemaVersion) {
    throw new Error(
      `the backup has schema version ${check.schemaVersion}, newer than this station software understands ` +
        `(up to ${latestSchemaVersion}): update the software first; nothing was restored`,
    );
  }
  return manifest;
}

/** Hands what the restore wrote to the data folder's owner: a restore run as root must not lock the station out. */
function giveToOwner(dataDir: string, paths: string[]): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = statSync(dataDir);
  for (const p of paths) {
    if (!existsSync(p)) continue;
    chownSync(p, uid, gid);
    if (statSync(p).isDirectory())
      for (const e of readdirSync(p, { recursive: true, encoding: 'utf8' })) chownSync(path.join(p, e), uid, gid);
  }
}

export function restoreBackup(backupDir: string, dataDir: string, at = new Date()): RestoreResult {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(dataDir, 'a restore'); // first: a running station is refused before any work
  try {
    const manifest = verifyBackup(backupDir);
    const record = path.join(dataDir, BACKUP_DB);
    const sets = path.join(dataDir, REFERENCE_SETS_DIR);
    // The record with its -wal and -shm (committed rows may still live in the -wal), and the reference sets.
    const current = [record, `${record}-wal`, `${record}-shm`, sets].filter((p) => existsSync(p));
    let setAside: string | null = null;
    if (current.length) {
      setAside = path.join(dataDir, `before-restore-${at.toISOString().replaceAll(':', '-')}`);
      mkdirSync(setAside);
      for (const p of current) renameSync(p, path.join(setAside, path.basename(p)));
    }
    cpSync(path.join(backupDir, BACKUP_DB), record);
    const backupSets = path.join(backupDir, REFERENCE_SETS_DIR);
    if (existsSync(backupSets)) cpSync(backupSets, sets, { recursive: true });
    const after = checkDatabase(record);
    if (after.integrity !== 'ok') {
      throw new Error(
        `the restored ${record} fails integrity_check (${after.integrity}); the previous data is in ${setAside}`,
      );
    }
    giveToOwner(dataDir, [record, sets]);
    return { manifest, rows: after.rows, setAside };
  } finally {
    lock.release();
  }
}
