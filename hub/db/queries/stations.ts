// Each bench's status as stored: the retained online flag, its newest event, gaps in its sequence, its selection.
import type { Pool } from 'pg';
import type { StationStatus } from '../../server/contract.d.ts';

const num = (v: string | number | null) => (v === null ? null : Number(v));

export async function stationStatuses(pool: Pool): Promise<StationStatus[]> {
  const r = await pool.query(
    `SELECT s.id, s.online, s.status_at, s.first_seen_at, e.last_seq, COALESCE(e.events, 0) AS events,
            e.last_at, e.last_received_at, latest.received_at - latest.at AS lag_ms, sel.product_id, sel.maker_id
     FROM stations s
     LEFT JOIN LATERAL (
       SELECT MAX(seq) AS last_seq, COUNT(*) AS events, MAX(at) AS last_at, MAX(received_at) AS last_received_at
       FROM events WHERE station_id = s.id) e ON true
     LEFT JOIN LATERAL (
       SELECT at, received_at FROM events WHERE station_id = s.id ORDER BY received_at DESC, seq DESC LIMIT 1
     ) latest ON true
     LEFT JOIN station_selection sel ON sel.station_id = s.id
     ORDER BY s.id`,
  );
  return r.rows.map((row) => {
    const lastSeq = num(row.last_seq);
    const events = Number(row.events);
    return {
      station: row.id,
      online: row.online,
      statusAt: num(row.status_at),
      firstSeenAt: Number(row.first_seen_at),
      lastSeq,
      events,
      missing: lastSeq === null ? 0 : lastSeq - events,
      lastEventAt: num(row.last_at),
      lastReceivedAt: num(row.last_received_at),
      lagMs: num(row.lag_ms),
      productId: row.product_id ?? null,
      makerId: row.maker_id ?? null,
    };
  });
}

/** The station ids, for the pages' station filter. */
export async function stationIds(pool: Pool): Promise<string[]> {
  return (await pool.query<{ id: string }>('SELECT id FROM stations ORDER BY id')).rows.map((r) => r.id);
}
