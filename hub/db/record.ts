/**
 * Writing what stations send into PostgreSQL, idempotently: an event is inserted with its (station, seq) key first,
 * and only a new one is drawn into the workshop records, all in one transaction. A resend (at-least-once delivery,
 * a hub restarted before its acknowledgement left) finds its key and changes nothing.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { EventData, EventMessage, StatusMessage } from '../../station/network/messages.ts';
import { delivered } from './deliveries.ts';
import { decisionAnswered } from './reviewRequests.ts';

export type Recorded = 'new' | 'duplicate';

const thumb = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64') : null);

async function inspection(c: PoolClient, station: string, seq: number, d: EventData<'inspection'>) {
  await c.query(
    `INSERT INTO inspections (station_id, id, seq, inspected_at, product_id, maker_id, reference_set_id, score, verdict,
       review_at, fail_at, review_status, error, frame_thumb, heatmap_thumb)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (station_id, id) DO NOTHING`,
    [
      station,
      d.id,
      seq,
      d.inspectedAt,
      d.productId,
      d.makerId,
      d.referenceSetId,
      d.score,
      d.verdict,
      d.band?.reviewAt ?? null,
      d.band?.failAt ?? null,
      d.reviewStatus,
      d.error,
      thumb(d.thumbnails.frame),
      thumb(d.thumbnails.heatmap),
    ],
  );
  // A decision that arrived before its inspection (a resend can overtake) still sets the status.
  await c.query(
    `UPDATE inspections i SET review_status = r.review_status
     FROM (SELECT review_status FROM reviews WHERE station_id = $1 AND inspection_id = $2 ORDER BY seq DESC LIMIT 1) r
     WHERE i.station_id = $1 AND i.id = $2`,
    [station, d.id],
  );
}

async function review(c: PoolClient, station: string, seq: number, d: EventData<'review'>) {
  await c.query(
    `INSERT INTO reviews (station_id, id, seq, inspection_id, action, note, user_name, decided_at, review_status, trains_on)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (station_id, id) DO NOTHING`,
    [station, d.id, seq, d.inspectionId, d.action, d.note, d.userName, d.decidedAt, d.reviewStatus, d.trainsOn],
  );
  // Only a later decision moves the status (a resend of an older one arriving late does not).
  await c.query(
    `UPDATE inspections SET review_status = $3 WHERE station_id = $1 AND id = $2
       AND NOT EXISTS (SELECT 1 FROM reviews WHERE station_id = $1 AND inspection_id = $2 AND seq > $4)`,
    [station, d.inspectionId, d.reviewStatus, seq],
  );
}

async function version(c: PoolClient, station: string, d: EventData<'reference_set_version'>, at: number) {
  await c.query(
    `INSERT INTO reference_set_versions (station_id, id, product_id, version, model_sha256, backbone_id, image_count,
       review_at, fail_at, score_kind, format, created_at, sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (station_id, id) DO NOTHING`,
    [
      station,
      d.id,
      d.productId,
      d.version,
      d.modelSha256,
      d.backboneId,
      d.imageCount,
      d.band.reviewAt,
      d.band.failAt,
      d.scoreKind,
      d.format,
      d.createdAt,
      d.sha256 ?? null,
    ],
  );
  if (d.sha256 && d.file) {
    // The first station to send a file is its source; the ingest checked the bytes against the sha256 already.
    await c.query(
      `INSERT INTO reference_set_files (sha256, product_id, bytes, source_station, source_version, model_sha256,
         backbone_id, review_at, fail_at, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (sha256) DO NOTHING`,
      [
        d.sha256,
        d.productId,
        Buffer.from(d.file, 'base64'),
        station,
        d.version,
        d.modelSha256,
        d.backboneId,
        d.band.reviewAt,
        d.band.failAt,
        at,
      ],
    );
  }
  if (d.sha256) await delivered.received(c, station, d.sha256, d.version, at);
}

async function activated(c: PoolClient, station: string, d: EventData<'reference_set_activated'>, at: number) {
  await c.query(
    `UPDATE reference_set_versions SET is_active = (version = $3) WHERE station_id = $1 AND product_id = $2`,
    [station, d.productId, d.version],
  );
  await delivered.activated(c, station, d.productId, d.version, at);
}

async function selection(c: PoolClient, station: string, seq: number, at: number, d: EventData<'selection'>) {
  await c.query(
    `INSERT INTO station_selection (station_id, seq, product_id, maker_id, at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (station_id) DO UPDATE SET seq = EXCLUDED.seq, product_id = EXCLUDED.product_id,
       maker_id = EXCLUDED.maker_id, at = EXCLUDED.at
     WHERE station_selection.seq < EXCLUDED.seq`,
    [station, seq, d.productId, d.makerId, at],
  );
}

/** `now`: the hub's clock, for the delivery states' times (the station's `at` is for display of its own records). */
async function project(c: PoolClient, e: EventMessage, now: number): Promise<void> {
  switch (e.kind) {
    case 'inspection':
      return inspection(c, e.station, e.seq, e.data);
    case 'review':
      await review(c, e.station, e.seq, e.data);
      return decisionAnswered.recorded(c, e.station, e.data, now);
    case 'review_refused':
      return decisionAnswered.refused(c, e.station, e.data, now);
    case 'reference_set_version':
      return version(c, e.station, e.data, now);
    case 'reference_set_activated':
      return activated(c, e.station, e.data, now);
    case 'selection':
      return selection(c, e.station, e.seq, e.at, e.data);
    case 'reference_set_refused':
      return delivered.refused(c, e.station, e.data, now);
    case 'reference_set_checked':
      return delivered.checked(c, e.station, e.data, now);
  }
}

const ensureStation = (c: PoolClient, station: string, now: number) =>
  c.query('INSERT INTO stations (id, first_seen_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [station, now]);

async function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  // The pool listens for errors only on idle clients: a server shutting down (57P01) while this one is checked out
  // would otherwise be an uncaught 'error' event that ends the hub. The failed query reports it to the caller.
  let lost: Error | undefined;
  const onLost = (err: Error) => {
    lost = err;
  };
  c.on('error', onLost);
  let failed: Error | undefined;
  try {
    await c.query('BEGIN');
    const out = await work(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    failed = err as Error;
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.off('error', onLost);
    // A client whose transaction failed is dropped rather than reused: its connection may be the broken one.
    c.release(lost ?? failed);
  }
}

/** Why an event cannot be taken as it is (a file whose bytes are not the sha256 it names), or null. */
export function eventFault(e: EventMessage): string | null {
  if (e.kind !== 'reference_set_version' || !e.data.file) return null;
  if (!e.data.sha256) return 'data.file: a reference-set file must come with its sha256';
  const actual = createHash('sha256').update(Buffer.from(e.data.file, 'base64')).digest('hex');
  return actual === e.data.sha256 ? null : `data.file: its sha256 is ${actual}, not ${e.data.sha256}`;
}

export function recordEvent(pool: Pool, e: EventMessage, receivedAt = Date.now()): Promise<Recorded> {
  return inTransaction(pool, async (c) => {
    await ensureStation(c, e.station, receivedAt);
    const r = await c.query(
      `INSERT INTO events (station_id, seq, kind, at, received_at, data) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (station_id, seq) DO NOTHING`,
      // The log keeps what happened; the bulk (thumbnails, a reference set's file) lives in its own columns.
      [
        e.station,
        e.seq,
        e.kind,
        e.at,
        receivedAt,
        JSON.stringify({ ...e.data, thumbnails: undefined, file: undefined }),
      ],
    );
    if (r.rowCount === 0) return 'duplicate';
    await project(c, e, receivedAt);
    return 'new';
  });
}

/** The retained birth or the last will; an older status (a stale retained one) never overrides a newer one. */
export function recordStatus(pool: Pool, s: StatusMessage, receivedAt = Date.now()): Promise<void> {
  return inTransaction(pool, async (c) => {
    await ensureStation(c, s.station, receivedAt);
    await c.query(
      `UPDATE stations SET online = $2, status_at = $3 WHERE id = $1 AND (status_at IS NULL OR status_at <= $3)`,
      [s.station, s.online, s.at],
    );
  });
}

export async function recordRefused(pool: Pool, topic: string, reason: string, payload: string): Promise<void> {
  await pool.query('INSERT INTO refused_messages (topic, received_at, reason, payload) VALUES ($1, $2, $3, $4)', [
    topic,
    Date.now(),
    reason,
    payload,
  ]);
}
