/**
 * A reference set's way to one bench, per (sha256, station): sent by the hub → received (the station kept it as a
 * version) or refused (with its reason) → checked (its false-alarm rate on the bench's good images) → active. Only
 * publications the hub made have a row: what stations report about other sets changes nothing here. A publication
 * sent again starts over at 'sent'.
 */
import type { Pool, PoolClient } from 'pg';
import type { EventData } from '../../station/network/messages.ts';

type Db = Pool | PoolClient;

export interface StoredFile {
  sha256: string;
  productId: string;
  bytes: Buffer;
  sourceStation: string;
  sourceVersion: number;
  modelSha256: string;
  backboneId: string | null;
  band: { reviewAt: number; failAt: number };
}

export async function referenceSetFile(db: Db, sha256: string): Promise<StoredFile | null> {
  const r = await db.query('SELECT * FROM reference_set_files WHERE sha256 = $1', [sha256]);
  const f = r.rows[0];
  if (!f) return null;
  return {
    sha256: f.sha256,
    productId: f.product_id,
    bytes: f.bytes,
    sourceStation: f.source_station,
    sourceVersion: f.source_version,
    modelSha256: f.model_sha256,
    backboneId: f.backbone_id,
    band: { reviewAt: f.review_at, failAt: f.fail_at },
  };
}

/** The hub is about to send it (written first, so no answer from the station can arrive before its row). */
export async function recordSent(db: Db, sha256: string, stationId: string, productId: string, now = Date.now()) {
  await db.query(
    `INSERT INTO reference_set_deliveries (sha256, station_id, product_id, state, sent_at, updated_at)
     VALUES ($1, $2, $3, 'sent', $4, $4)
     ON CONFLICT (sha256, station_id) DO UPDATE SET state = 'sent', sent_at = $4, updated_at = $4, local_version = NULL,
       reason = NULL, "check" = NULL, false_alarm_rate = NULL, check_ok = NULL, activate_sent_at = NULL`,
    [sha256, stationId, productId, now],
  );
}

/** The send failed after its row was written: no publication is better than one the station never got. */
export async function forgetSent(db: Db, sha256: string, stationId: string) {
  await db.query(`DELETE FROM reference_set_deliveries WHERE sha256 = $1 AND station_id = $2 AND state = 'sent'`, [
    sha256,
    stationId,
  ]);
}

export async function recordActivateSent(db: Db, sha256: string, stationId: string, now = Date.now()) {
  await db.query(
    'UPDATE reference_set_deliveries SET activate_sent_at = $3, updated_at = $3 WHERE sha256 = $1 AND station_id = $2',
    [sha256, stationId, now],
  );
}

/** What the stations' events do to a delivery (called inside the event's transaction, hub/db/record.ts). */
export const delivered = {
  async received(c: PoolClient, station: string, sha256: string, version: number, now: number) {
    await c.query(
      `UPDATE reference_set_deliveries SET state = 'received', local_version = $3, updated_at = $4
       WHERE sha256 = $1 AND station_id = $2 AND state = 'sent'`,
      [sha256, station, version, now],
    );
  },

  async refused(c: PoolClient, station: string, d: EventData<'reference_set_refused'>, now: number) {
    // A refused activation leaves the set where it was; its reason is still what the lead must read.
    const state = d.command === 'publish_reference_set' ? "'refused'" : 'state';
    await c.query(
      `UPDATE reference_set_deliveries SET state = ${state}, reason = $3, updated_at = $4
       WHERE sha256 = $1 AND station_id = $2`,
      [d.sha256, station, d.reason, now],
    );
  },

  async checked(c: PoolClient, station: string, d: EventData<'reference_set_checked'>, now: number) {
    await c.query(
      `UPDATE reference_set_deliveries SET state = CASE WHEN state = 'active' THEN 'active' ELSE 'checked' END,
         local_version = $3, "check" = $4, false_alarm_rate = $5, check_ok = $6, reason = $7, updated_at = $8
       WHERE sha256 = $1 AND station_id = $2`,
      [d.sha256, station, d.version, JSON.stringify(d), d.falseAlarmRate, d.ok, d.reason, now],
    );
  },

  /** The bench's active version of the product changed: its delivery is active, the one before is not any more. */
  async activated(c: PoolClient, station: string, productId: string, version: number, now: number) {
    await c.query(
      `UPDATE reference_set_deliveries d SET updated_at = $4, state = CASE
         WHEN d.sha256 IS NOT DISTINCT FROM v.sha256 THEN 'active'
         WHEN d.state = 'active' THEN CASE WHEN d."check" IS NULL THEN 'received' ELSE 'checked' END
         ELSE d.state END
       FROM (SELECT (SELECT sha256 FROM reference_set_versions
                     WHERE station_id = $1 AND product_id = $2 AND version = $3) AS sha256) v
       WHERE d.station_id = $1 AND d.product_id = $2`,
      [station, productId, version, now],
    );
  },
};
