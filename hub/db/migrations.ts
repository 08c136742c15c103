/**
 * The hub's PostgreSQL schema, as an ordered list applied in one transaction each, recorded in schema_version (as
 * the station does with SQLite). Every row a station sent is keyed by (station_id, seq) — the station-sequence —
 * and never by a clock: a resend finds its row already there, and a gap in a station's seqs is a loss to see.
 */
import type { Pool, PoolClient } from 'pg';

export interface HubMigration {
  version: number;
  name: string;
  sql: string;
}

export const hubMigrations: readonly HubMigration[] = [
  {
    version: 1,
    name: 'stations, their events, and the workshop records drawn from them',
    sql: `
CREATE TABLE stations (
  id             TEXT PRIMARY KEY,
  online         BOOLEAN NOT NULL DEFAULT false,
  status_at      BIGINT,
  first_seen_at  BIGINT NOT NULL
);

-- Every event as it arrived: the log the records below are drawn from, and the idempotency key.
CREATE TABLE events (
  station_id   TEXT NOT NULL REFERENCES stations (id),
  seq          BIGINT NOT NULL CHECK (seq > 0),
  kind         TEXT NOT NULL,
  at           BIGINT NOT NULL,
  received_at  BIGINT NOT NULL,
  data         JSONB NOT NULL,
  PRIMARY KEY (station_id, seq)
);

CREATE TABLE inspections (
  station_id        TEXT NOT NULL REFERENCES stations (id),
  id                BIGINT NOT NULL,
  seq               BIGINT NOT NULL,
  inspected_at      BIGINT NOT NULL,
  product_id        TEXT NOT NULL,
  maker_id          TEXT,
  reference_set_id  BIGINT,
  score             DOUBLE PRECISION,
  verdict           TEXT NOT NULL CHECK (verdict IN ('pass', 'review', 'fail', 'unjudged')),
  review_at         DOUBLE PRECISION,
  fail_at           DOUBLE PRECISION,
  review_status     TEXT NOT NULL,
  error             TEXT,
  frame_thumb       BYTEA,
  heatmap_thumb     BYTEA,
  PRIMARY KEY (station_id, id),
  UNIQUE (station_id, seq)
);
CREATE INDEX inspections_product_time ON inspections (product_id, inspected_at);
CREATE INDEX inspections_maker_time ON inspections (maker_id, inspected_at);

CREATE TABLE reviews (
  station_id     TEXT NOT NULL REFERENCES stations (id),
  id             BIGINT NOT NULL,
  seq            BIGINT NOT NULL,
  inspection_id  BIGINT NOT NULL,
  action         TEXT NOT NULL,
  note           TEXT,
  user_name      TEXT NOT NULL,
  decided_at     BIGINT NOT NULL,
  review_status  TEXT NOT NULL,
  trains_on      BOOLEAN NOT NULL,
  PRIMARY KEY (station_id, id)
);
CREATE INDEX reviews_inspection ON reviews (station_id, inspection_id, seq);

CREATE TABLE reference_set_versions (
  station_id    TEXT NOT NULL REFERENCES stations (id),
  id            BIGINT NOT NULL,
  product_id    TEXT NOT NULL,
  version       INTEGER NOT NULL,
  model_sha256  TEXT NOT NULL,
  backbone_id   TEXT,
  image_count   INTEGER NOT NULL,
  review_at     DOUBLE PRECISION NOT NULL,
  fail_at       DOUBLE PRECISION NOT NULL,
  score_kind    TEXT NOT NULL,
  format        INTEGER NOT NULL,
  created_at    BIGINT NOT NULL,
  is_active     BOOLEAN NOT NULL DEFAULT false,
  PRIMARY KEY (station_id, id),
  UNIQUE (station_id, product_id, version)
);

-- What each bench inspects now, and who works at it.
CREATE TABLE station_selection (
  station_id  TEXT PRIMARY KEY REFERENCES stations (id),
  seq         BIGINT NOT NULL,
  product_id  TEXT NOT NULL,
  maker_id    TEXT,
  at          BIGINT NOT NULL
);

-- Messages the hub could not take (not JSON, a schema it does not know): kept with the reason, never dropped.
CREATE TABLE refused_messages (
  id           BIGSERIAL PRIMARY KEY,
  topic        TEXT NOT NULL,
  received_at  BIGINT NOT NULL,
  reason       TEXT NOT NULL,
  payload      TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'reference-set files, and their delivery to benches: sent, received or refused, checked, active',
    sql: `
-- Across stations a reference set is named by its file's sha256 (versions are numbered per station).
ALTER TABLE reference_set_versions ADD COLUMN sha256 TEXT;
CREATE INDEX reference_set_versions_sha256 ON reference_set_versions (sha256);

-- The files the hub can publish, as the first station that sent each one made it.
CREATE TABLE reference_set_files (
  sha256          TEXT PRIMARY KEY,
  product_id      TEXT NOT NULL,
  bytes           BYTEA NOT NULL,
  source_station  TEXT NOT NULL REFERENCES stations (id),
  source_version  INTEGER NOT NULL,
  model_sha256    TEXT NOT NULL,
  backbone_id     TEXT,
  review_at       DOUBLE PRECISION NOT NULL,
  fail_at         DOUBLE PRECISION NOT NULL,
  received_at     BIGINT NOT NULL
);

-- One publication of a file to one bench, and how far it got. The check's figures are kept whole (check) and the
-- false-alarm rate beside them for lists.
CREATE TABLE reference_set_deliveries (
  sha256            TEXT NOT NULL REFERENCES reference_set_files (sha256),
  station_id        TEXT NOT NULL REFERENCES stations (id),
  product_id        TEXT NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('sent', 'received', 'refused', 'checked', 'active')),
  sent_at           BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  local_version     INTEGER,
  reason            TEXT,
  "check"           JSONB,
  false_alarm_rate  DOUBLE PRECISION,
  check_ok          BOOLEAN,
  activate_sent_at  BIGINT,
  PRIMARY KEY (sha256, station_id)
);
`,
  },
  {
    version: 3,
    name: 'hub users: the leads who sign in to the workshop dashboard',
    sql: `
-- Only the password's scrypt hash, in the station's format (web/auth/passwords.ts).
CREATE TABLE hub_users (
  name           TEXT PRIMARY KEY,
  password_hash  TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('lead', 'admin')),
  created_at     BIGINT NOT NULL
);
`,
  },
  {
    version: 4,
    name: 'review decisions a lead sent to a bench from the hub, until the bench records or refuses them',
    sql: `
-- The newest request per item. Only the bench decides: the item's review_status moves with its review event alone;
-- this row says what the lead asked and how far it got: sent, recorded (the bench's review event arrived) or refused
-- (with the bench's reason).
CREATE TABLE review_requests (
  station_id     TEXT NOT NULL REFERENCES stations (id),
  inspection_id  BIGINT NOT NULL,
  action         TEXT NOT NULL CHECK (action IN ('confirm_defect', 'accept_good', 'note')),
  note           TEXT,
  user_name      TEXT NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('sent', 'recorded', 'refused')),
  sent_at        BIGINT,
  updated_at     BIGINT NOT NULL,
  reason         TEXT,
  PRIMARY KEY (station_id, inspection_id)
);
CREATE INDEX review_requests_refused ON review_requests (updated_at) WHERE state = 'refused';
`,
  },
];

export const latestHubSchema = hubMigrations[hubMigrations.length - 1].version;

async function currentVersion(c: PoolClient): Promise<number> {
  const t = await c.query(`SELECT to_regclass('schema_version') AS t`);
  if (t.rows[0].t === null) return 0;
  return Number((await c.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_version')).rows[0].v);
}

/**
 * Brings the database to the latest schema; refuses one written by a newer hub. An advisory lock keeps two hubs
 * starting at once from migrating together.
 */
export async function migrateHub(pool: Pool, list: readonly HubMigration[] = hubMigrations): Promise<number[]> {
  const c = await pool.connect();
  const applied: number[] = [];
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock(7147001)');
    await c.query(
      'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const now = await currentVersion(c);
    const latest = list.at(-1)?.version ?? 0;
    if (now > latest)
      throw new Error(`the hub database has schema version ${now}, newer than this hub understands (${latest})`);
    for (const m of list) {
      if (m.version <= now) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied.push(m.version);
    }
    await c.query('COMMIT');
    return applied;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}
