// Opening the station's record: <dataDir>/station.sqlite, WAL, synchronous=FULL (a committed
// inspection survives power loss or SIGKILL), foreign keys on, migrated to the latest schema.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DAY_MS,
  pruneEvidence,
  retentionCutoff,
  sweepOrphanEvidence,
  type OrphanSweep,
  type PruneResult,
} from './evidence.ts';
import { assertNotNewer, migrate } from './migrations.ts';
import { calibrationImagesRepo } from './repositories/calibrationImages.ts';
import { inspectionsRepo } from './repositories/inspections.ts';
import { makersRepo } from './repositories/makers.ts';
import { outboxRepo } from './repositories/outbox.ts';
import { productsRepo } from './repositories/products.ts';
import { referenceSetsRepo } from './repositories/referenceSets.ts';
import { reviewsRepo } from './repositories/reviews.ts';
import { usersRepo } from './repositories/users.ts';

export const STORE_FILE = 'station.sqlite';
/** How long outbox entries the broker acknowledged are kept. */
export const OUTBOX_KEEP_SENT_DAYS = 7;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface Store {
  readonly dataDir: string;
  readonly file: string;
  /** The raw connection, for tests and one-off queries; prefer the repositories. */
  readonly db: Database.Database;
  readonly products: ReturnType<typeof productsRepo>;
  readonly makers: ReturnType<typeof makersRepo>;
  readonly referenceSets: ReturnType<typeof referenceSetsRepo>;
  readonly inspections: ReturnType<typeof inspectionsRepo>;
  readonly reviews: ReturnType<typeof reviewsRepo>;
  readonly calibrationImages: ReturnType<typeof calibrationImagesRepo>;
  readonly users: ReturnType<typeof usersRepo>;
  /** What the station committed, queued for the workshop network (see repositories/outbox.ts). */
  readonly outbox: ReturnType<typeof outboxRepo>;
  /** Result of PRAGMA integrity_check: 'ok' or the problems found, one per line. */
  integrityCheck(): string;
  /**
   * Evidence retention: rows older than keepDays lose their evidence paths (kept forever otherwise),
   * then the files are deleted. Rows first, so no row ever points at a deleted file.
   */
  applyRetention(keepDays: number, now?: number): Promise<PruneResult & { rowsMarked: number; outboxPruned: number }>;
  /** At start, before inspecting: remove evidence files no row refers to and leftover temp files (see evidence.ts). */
  sweepOrphanEvidence(): Promise<OrphanSweep>;
  close(): void;
}

/** Creates the data folder; throws a message naming the cause when it is a file, cannot be made or is read-only. */
export function ensureWritableFolder(dataDir: string): void {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
    throw new Error(`data folder ${dataDir} is a file, not a folder; choose another dataDir or move the file away`);
  }
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`data folder ${dataDir} cannot be created (${code}); choose a dataDir on a writable disk`);
  }
  // A real write, not access(): root ignores permission bits, but not a read-only mount.
  const probe = path.join(dataDir, `.write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `data folder ${dataDir} is not writable (${code}); give the station's user write access or choose another dataDir`,
    );
  }
}

function notSqlite(file: string): Error {
  return new Error(
    `${file} is not a SQLite database; move it away (the station will create a fresh one) or choose another dataDir`,
  );
}

/** Refuse a foreign file before SQLite touches it (WAL setup would otherwise fail obscurely). */
function checkHeader(file: string): void {
  if (!existsSync(file)) return;
  const st = statSync(file);
  if (!st.isFile()) throw notSqlite(file);
  if (st.size === 0) return; // SQLite treats an empty file as a new database
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw notSqlite(file);
}

export function openStore(dataDir: string): Store {
  if (typeof dataDir !== 'string' || dataDir.trim() === '') {
    throw new Error('openStore needs a dataDir (the folder for station.sqlite and evidence images)');
  }
  const dir = path.resolve(dataDir);
  ensureWritableFolder(dir);
  const file = path.join(dir, STORE_FILE);
  checkHeader(file);

  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw new Error(`cannot open ${file}: ${(err as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    assertNotNewer(db, file); // before any pragma that writes to the file
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal')
      throw new Error(`${file} could not switch to WAL journaling (got '${mode}'); is the disk a network share?`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw notSqlite(file);
    throw err;
  }

  const outbox = outboxRepo(db);
  const inspections = inspectionsRepo(db, outbox);
  return {
    dataDir: dir,
    file,
    db,
    products: productsRepo(db),
    makers: makersRepo(db),
    referenceSets: referenceSetsRepo(db, outbox),
    inspections,
    reviews: reviewsRepo(db, outbox),
    calibrationImages: calibrationImagesRepo(db),
    users: usersRepo(db),
    outbox,
    integrityCheck() {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).join('\n');
    },
    async applyRetention(keepDays: number, now = Date.now()) {
      const rowsMarked = inspections.markEvidencePruned(retentionCutoff(keepDays, now), now);
      // Sent entries are the hub's now; a week's grace keeps them for a look after an incident.
      const outboxPruned = outbox.pruneSent(now - OUTBOX_KEEP_SENT_DAYS * DAY_MS);
      return { ...(await pruneEvidence(dir, keepDays, now)), rowsMarked, outboxPruned };
    },
    sweepOrphanEvidence() {
      const ofDay =
        db.prepare(`SELECT frame_path AS p FROM inspections WHERE inspected_at >= @from AND inspected_at < @to AND frame_path IS NOT NULL
        UNION ALL SELECT heatmap_path FROM inspections WHERE inspected_at >= @from AND inspected_at < @to AND heatmap_path IS NOT NULL`);
      return sweepOrphanEvidence(dir, (day) => {
        const from = Date.parse(`${day}T00:00:00Z`);
        return new Set((ofDay.all({ from, to: from + DAY_MS }) as { p: string }[]).map((r) => r.p));
      });
    },
    close() {
      if (db.open) db.close();
    },
  };
}
