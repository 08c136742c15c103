// Ordered schema migrations for station.sqlite. Each entry is applied once, in order,
// inside one IMMEDIATE transaction at open, and recorded in `schema_version`.
// Never edit a migration that has shipped: append a new one instead.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'workshop record: products, makers, reference sets, inspections, reviews, calibration images, users',
    sql: `
CREATE TABLE products (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  settings_json TEXT NOT NULL DEFAULT '{}',
  created_at    INTEGER NOT NULL
);

CREATE TABLE makers (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  badge_code TEXT UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE reference_sets (
  id              INTEGER PRIMARY KEY,
  product_id      TEXT NOT NULL REFERENCES products(id),
  version         INTEGER NOT NULL CHECK (version >= 1),
  file_path       TEXT NOT NULL,
  model_sha256    TEXT NOT NULL,
  image_count     INTEGER NOT NULL CHECK (image_count >= 0),
  thresholds_json TEXT NOT NULL,
  report_json     TEXT NOT NULL DEFAULT '{}',
  is_active       INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)),
  created_at      INTEGER NOT NULL,
  UNIQUE (product_id, version)
);
-- At most one active reference set per product, enforced by the database itself.
CREATE UNIQUE INDEX reference_sets_one_active ON reference_sets(product_id) WHERE is_active = 1;

CREATE TABLE inspections (
  id                 INTEGER PRIMARY KEY,
  inspected_at       INTEGER NOT NULL,
  product_id         TEXT NOT NULL REFERENCES products(id),
  maker_id           TEXT REFERENCES makers(id),
  reference_set_id   INTEGER REFERENCES reference_sets(id),
  score              REAL,
  verdict            TEXT NOT NULL CHECK (verdict IN ('pass', 'review', 'fail', 'unjudged')),
  review_threshold   REAL,
  fail_threshold     REAL,
  timings_json       TEXT NOT NULL DEFAULT '{}',
  nearest_json       TEXT NOT NULL DEFAULT '[]',
  frame_path         TEXT,
  heatmap_path       TEXT,
  -- Set when retention deleted the evidence files (frame_path/heatmap_path are then NULL).
  evidence_pruned_at INTEGER,
  review_status      TEXT NOT NULL DEFAULT 'none'
                     CHECK (review_status IN ('none', 'pending', 'confirmed_defect', 'accepted_good')),
  error              TEXT,
  -- A judged item always carries its score and the band it was judged against.
  CHECK (verdict = 'unjudged' OR (score IS NOT NULL AND review_threshold IS NOT NULL AND fail_threshold IS NOT NULL))
);
CREATE INDEX inspections_time ON inspections(inspected_at);
CREATE INDEX inspections_product_maker_time ON inspections(product_id, maker_id, inspected_at);
CREATE INDEX inspections_review_status ON inspections(review_status);

CREATE TABLE reviews (
  id            INTEGER PRIMARY KEY,
  inspection_id INTEGER NOT NULL REFERENCES inspections(id),
  action        TEXT NOT NULL CHECK (action IN ('confirm_defect', 'accept_good', 'note')),
  note          TEXT,
  -- Plain text, not a foreign key: the history keeps the name even if the login is removed.
  user_name     TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX reviews_inspection ON reviews(inspection_id);

CREATE TABLE calibration_images (
  id            INTEGER PRIMARY KEY,
  product_id    TEXT NOT NULL REFERENCES products(id),
  file_path     TEXT NOT NULL,
  sha256        TEXT NOT NULL,
  source        TEXT NOT NULL CHECK (source IN ('folder', 'review')),
  inspection_id INTEGER REFERENCES inspections(id),
  created_at    INTEGER NOT NULL,
  CHECK (source = 'folder' OR inspection_id IS NOT NULL)
);
CREATE INDEX calibration_images_product ON calibration_images(product_id);
CREATE UNIQUE INDEX calibration_images_product_sha ON calibration_images(product_id, sha256);

CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('viewer', 'lead', 'admin')),
  created_at    INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'calibration images withdrawn when a later review confirms the item defective',
    sql: `
ALTER TABLE calibration_images ADD COLUMN withdrawn_at INTEGER;
ALTER TABLE calibration_images ADD COLUMN withdrawn_reason TEXT;
`,
  },
  {
    version: 3,
    name: 'reference sets: the row indexes its file with summary columns (format, band, score kind, backbone)',
    sql: `
-- Format 2 files carry their tolerance band and score model; the row summarises them. Format-1 rows keep
-- thresholds_json (score model, intervals) and get their summary from it.
ALTER TABLE reference_sets ADD COLUMN format INTEGER NOT NULL DEFAULT 1 CHECK (format >= 1);
ALTER TABLE reference_sets ADD COLUMN review_at REAL;
ALTER TABLE reference_sets ADD COLUMN fail_at REAL CHECK (fail_at >= review_at);
ALTER TABLE reference_sets ADD COLUMN score_kind TEXT CHECK (score_kind IN ('raw', 'top', 'region'));
ALTER TABLE reference_sets ADD COLUMN backbone_id TEXT;
UPDATE reference_sets SET
  review_at  = json_extract(thresholds_json, '$.review'),
  fail_at    = json_extract(thresholds_json, '$.fail'),
  -- an unknown kind is summarised as raw: loading the version names the bad score model, the migration must not fail
  score_kind = CASE json_extract(thresholds_json, '$.scoreModel.kind') WHEN 'top' THEN 'top' WHEN 'region' THEN 'region'
               ELSE 'raw' END
WHERE json_valid(thresholds_json);
-- The review threshold was kept twice in thresholds_json (review and band.reviewAt, with its interval): it is now
-- in review_at only, and the band lives in the file (format 2) or the version's report.
UPDATE reference_sets SET thresholds_json = json_remove(thresholds_json, '$.review', '$.fail', '$.band')
WHERE json_valid(thresholds_json) AND review_at IS NOT NULL AND fail_at IS NOT NULL;
-- Every version added from now on carries its summary (ALTER TABLE cannot add NOT NULL without a default).
CREATE TRIGGER reference_sets_summary_required BEFORE INSERT ON reference_sets
WHEN NEW.review_at IS NULL OR NEW.fail_at IS NULL OR NEW.score_kind IS NULL
BEGIN
  SELECT RAISE(ABORT, 'reference_sets: review_at, fail_at and score_kind are required');
END;
`,
  },
  {
    version: 4,
    name: 'outbox: what the station commits, queued in the same transaction for the workshop network',
    sql: `
-- seq is the station-sequence the hub keys on (with the station id): AUTOINCREMENT never reuses one, even after
-- the newest rows are pruned. payload_json is the committed record as the station holds it.
CREATE TABLE outbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT NOT NULL CHECK (kind IN ('inspection', 'review', 'reference_set_version',
                                             'reference_set_activated', 'selection')),
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  created_at   INTEGER NOT NULL,
  sent_at      INTEGER
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
`,
  },
  {
    version: 5,
    name: 'outbox: any kind the wire has — the repository checks kinds, so a new one needs no copy of the table',
    sql: `
-- SQLite cannot drop or widen a CHECK in place: the table is copied, once, without the list of kinds (the outbox
-- repository refuses an unknown kind, and the wire's kinds grow: answers to the hub's commands came first). The
-- station-sequence must never go back, even where the newest entries were pruned, so the AUTOINCREMENT high-water
-- mark is carried over before the old table goes (a rename carries its sqlite_sequence row along).
CREATE TABLE outbox_v5 (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT NOT NULL,
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  created_at   INTEGER NOT NULL,
  sent_at      INTEGER
);
INSERT INTO outbox_v5 (seq, kind, payload_json, created_at, sent_at)
  SELECT seq, kind, payload_json, created_at, sent_at FROM outbox;
DELETE FROM sqlite_sequence WHERE name = 'outbox_v5';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_v5', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_v5 RENAME TO outbox;
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
`,
  },
  {
    version: 6,
    name: "reference sets: score kind 'pair', a version that combines two configurations",
    sql: `
-- SQLite cannot widen a CHECK in place: score_kind is added again with the wider list and its values copied over.
-- The insert trigger names the column, so it goes first and comes back unchanged.
DROP TRIGGER reference_sets_summary_required;
ALTER TABLE reference_sets RENAME COLUMN score_kind TO score_kind_v5;
ALTER TABLE reference_sets ADD COLUMN score_kind TEXT CHECK (score_kind IN ('raw', 'top', 'region', 'pair'));
UPDATE reference_sets SET score_kind = score_kind_v5;
ALTER TABLE reference_sets DROP COLUMN score_kind_v5;
CREATE TRIGGER reference_sets_summary_required BEFORE INSERT ON reference_sets
WHEN NEW.review_at IS NULL OR NEW.fail_at IS NULL OR NEW.score_kind IS NULL
BEGIN
  SELECT RAISE(ABORT, 'reference_sets: review_at, fail_at and score_kind are required');
END;
`,
  },
];

export const latestSchemaVersion = migrations[migrations.length - 1].version;

/** The version recorded in the file (0 for a fresh database). */
export function currentSchemaVersion(db: Database.Database): number {
  const table = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

function refuseNewer(file: string, found: number): Error {
  return new Error(
    `${file} has schema version ${found}, newer than this station software understands ` +
      `(up to ${latestSchemaVersion}). Update the station software, or point dataDir at another folder; ` +
      `the file was left untouched.`,
  );
}

/** Throw, touching nothing, when the file was written by newer software. */
export function assertNotNewer(db: Database.Database, file: string, latest = latestSchemaVersion): void {
  const found = currentSchemaVersion(db);
  if (found > latest) throw refuseNewer(file, found);
}

/**
 * Bring the database up to `latestSchemaVersion`. Returns the versions applied (empty when
 * already current). Throws, touching nothing, when the file is newer than this code.
 */
export function migrate(db: Database.Database, file: string, list: readonly Migration[] = migrations): number[] {
  assertOrdered(list);
  const latest = list.length ? list[list.length - 1].version : 0;
  const before = currentSchemaVersion(db);
  if (before > latest) throw refuseNewer(file, before);
  if (before === latest) return [];

  const applied: number[] = [];
  // IMMEDIATE takes the write lock first, so two processes opening at once cannot both migrate.
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
    const now = currentSchemaVersion(db);
    if (now > latest) throw refuseNewer(file, now);
    const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of list) {
      if (m.version <= now) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
      applied.push(m.version);
    }
  }).immediate();
  return applied;
}

function assertOrdered(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration list is out of order: entry ${i} has version ${m.version}, expected ${i + 1}`);
    }
  });
}
