/**
 * Putting a backup back into a data folder. Refuses while a station (or another restore) holds the folder, checks
 * the backup with integrity_check before touching anything, moves the current record and reference sets aside
 * (never deletes them), copies the backup in, and checks again.
 */
import Database from 'better-sqlite3';
import { chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { BACKUP_DB, type BackupManifest, checkDatabase, MANIFEST, REFERENCE_SETS_DIR } from './backup.ts';
import { lockDataDir } from './dataDirLock.ts';
import { evidenceRoot } from './evidence.ts';
import { latestSchemaVersion } from './migrations.ts';

export interface RestoreResult {
  manifest: BackupManifest;
  rows: BackupManifest['rows'];
  /** Where the data folder's previous record and reference sets now are; null when there were none. */
  setAside: string | null;
  /** Evidence images moved there with it: those of inspections the backup does not have. */
  evidenceSetAside: number;
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

/**
 * Evidence images of inspections the restored record does not have (those after the backup) would be swept as
 * orphans at the next start: they go to the set-aside folder instead, beside the record that refers to them.
 */
function setAsideUnreferencedEvidence(dataDir: string, record: string, setAside: string): number {
  const root = evidenceRoot(dataDir);
  if (!existsSync(root)) return 0;
  const db = new Database(record, { readonly: true });
  const referenced = new Set(
    (
      db
        .prepare(
          `SELECT frame_path AS p FROM inspections WHERE frame_path IS NOT NULL
           UNION ALL SELECT heatmap_path FROM inspections WHERE heatmap_path IS NOT NULL`,
        )
        .all() as { p: string }[]
    ).map((r) => r.p),
  );
  db.close();
  let moved = 0;
  for (const day of readdirSync(root)) {
    if (!statSync(path.join(root, day)).isDirectory()) continue;
    for (const name of readdirSync(path.join(root, day))) {
      if (referenced.has(`${day}/${name}`)) continue;
      mkdirSync(path.join(setAside, 'evidence', day), { recursive: true });
      renameSync(path.join(root, day, name), path.join(setAside, 'evidence', day, name));
      moved++;
    }
  }
  return moved;
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
    const evidenceSetAside = setAside ? setAsideUnreferencedEvidence(dataDir, record, setAside) : 0;
    giveToOwner(dataDir, [record, sets]);
    return { manifest, rows: after.rows, setAside, evidenceSetAside };
  } finally {
    lock.release();
  }
}
