/**
 * Backups of a data folder: the SQLite record through SQLite's online backup API (a consistent snapshot even while
 * the station writes; a file copy of a live WAL database can tear), then the reference-set files. Each backup is
 * one folder, `bench-qa-<UTC time>`, built under a `.partial` name and renamed when whole, so a folder with that
 * name is always complete. Evidence images are not backed up: retention already bounds their life.
 */
import Database from 'better-sqlite3';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertNotNewer, currentSchemaVersion } from './migrations.ts';

export const BACKUP_DB = 'station.sqlite';
export const MANIFEST = 'manifest.json';
/** The folder referenceSets/versions.ts writes reference-set files to, inside the data folder. */
export const REFERENCE_SETS_DIR = 'reference-sets';
const NAME = /^bench-qa-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(?:-\d{3})?Z)$/;
const DAY_MS = 24 * 3600 * 1000;

/** The tables whose row counts a manifest records: the workshop's history. */
const COUNTED = ['inspections', 'reviews', 'reference_sets', 'products', 'makers', 'users'] as const;

export interface BackupManifest {
  format: 1;
  createdAt: string;
  createdAtMs: number;
  schemaVersion: number;
  rows: Record<(typeof COUNTED)[number], number>;
  integrity: 'ok';
  /** The data folder it was taken from. */
  dataDir: string;
}

export interface Backup {
  dir: string;
  manifest: BackupManifest;
}

/** Opens a SQLite file for checks, runs integrity_check, and reads what the manifest records. */
export function checkDatabase(file: string): {
  integrity: string;
  schemaVersion: number;
  rows: BackupManifest['rows'];
} {
  const db = new Database(file, { fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('\n');
    const rows = Object.fromEntries(
      COUNTED.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]),
    ) as BackupManifest['rows'];
    return { integrity, schemaVersion: currentSchemaVersion(db), rows };
  } finally {
    db.close();
  }
}

const stamp = (at: Date) => at.toISOString().replaceAll(':', '-').replace('.', '-');

/**
 * Backs up `dataDir` into a new folder under `folder` through `db`, an open connection to its record (the
 * station's own, or one opened for the purpose). The snapshot is taken in steps, so the station keeps inspecting.
 */
export async function takeBackup(
  db: Database.Database,
  dataDir: string,
  folder: string,
  at = new Date(),
): Promise<Backup> {
  mkdirSync(folder, { recursive: true });
  const dir = path.join(folder, `bench-qa-${stamp(at)}`);
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial);
  try {
    const file = path.join(partial, BACKUP_DB);
    await db.backup(file);
    // One self-contained file: no -wal beside it to lose when the backup is copied off the bench.
    const copy = new Database(file);
    copy.pragma('journal_mode = DELETE');
    copy.close();
    const check = checkDatabase(file);
    if (check.integrity !== 'ok') throw new Error(`the backup's integrity_check failed: ${check.integrity}`);
    // After the record: a reference-set file is written before its row, so the files cover every row.
    const sets = path.join(dataDir, REFERENCE_SETS_DIR);
    if (existsSync(sets)) cpSync(sets, path.join(partial, REFERENCE_SETS_DIR), { recursive: true });
    const manifest: BackupManifest = {
      format: 1,
      createdAt: at.toISOString(),
      createdAtMs: at.getTime(),
      schemaVersion: check.schemaVersion,
      rows: check.rows,
      integrity: 'ok',
      dataDir,
    };
    writeFileSync(path.join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(partial, dir);
    return { dir, manifest };
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}

/** Backs up a data folder from outside the station (`npm run backup`): its own connection, which writes nothing. */
export async function backupDataDir(dataDir: string, folder: string, at = new Date()): Promise<Backup> {
  const file = path.join(dataDir, BACKUP_DB);
  if (!existsSync(file)) throw new Error(`there is no station record to back up: ${file} does not exist`);
  const db = new Database(file, { fileMustExist: true, timeout: 5000 });
  try {
    assertNotNewer(db, file);
    return await takeBackup(db, dataDir, folder, at);
  } finally {
    db.close();
  }
}

/** The complete backups in `folder`, oldest first; anything else there (other files, half backups) is not one. */
export function listBackups(folder: string): Backup[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => NAME.test(name) && existsSync(path.join(folder, name, MANIFEST)))
    .map((name) => {
      const dir = path.join(folder, name);
      return { dir, manifest: JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as BackupManifest };
    })
    .sort((a, b) => a.manifest.createdAtMs - b.manifest.createdAtMs);
}

/** Removes backups older than keepDays; the newest always stays, even when the clock went wrong. */
export function pruneBackups(folder: string, keepDays: number, now = Date.now()): string[] {
  const all = listBackups(folder);
  const old = all.slice(0, -1).filter((b) => b.manifest.createdAtMs < now - keepDays * DAY_MS);
  for (const b of old) rmSync(b.dir, { recursive: true, force: true });
  return old.map((b) => b.dir);
}
