/**
 * How far behind each station the hub is, from what it stored: the last station-sequence received, how many of the
 * seqs up to it are missing (still on the way, or lost), and how old its newest row is. A bench offline or draining
 * a backlog shows here as a growing age and a last seq that lags the station's own count (its /metrics backlog).
 */
import type { Pool } from 'pg';

export interface StationLag {
  stationId: string;
  /** The station's retained status as last recorded (birth message or last will). */
  online: boolean;
  /** Highest seq stored; 0 before the first event. */
  lastSeq: number;
  /** Seqs between 1 and lastSeq the hub has no row for: 0 when everything up to lastSeq arrived. */
  missing: number;
  /** When the newest row arrived at the hub (ms epoch, the hub's clock), or null with none. */
  newestReceivedAt: number | null;
  /** now − newestReceivedAt: how long the station has been quiet on the hub. */
  ageMs: number | null;
  /**
   * How late the newest row arrived after its station committed it (hub clock − station clock: for display, the
   * two clocks may differ by their skew).
   */
  arrivalDelayMs: number | null;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

/** One row per station the hub has heard of, by station id. */
export async function stationLag(pool: Pool, now = Date.now()): Promise<StationLag[]> {
  // The newest row is found through the primary key (station_id, seq), not by scanning a station's events.
  const r = await pool.query(
    `SELECT s.id, s.online, agg.last_seq, agg.events, newest.at, newest.received_at
     FROM stations s
     LEFT JOIN LATERAL (SELECT MAX(seq) AS last_seq, COUNT(*) AS events FROM events e WHERE e.station_id = s.id) agg
       ON true
     LEFT JOIN LATERAL (SELECT at, received_at FROM events e WHERE e.station_id = s.id ORDER BY seq DESC LIMIT 1) newest
       ON true
     ORDER BY s.id`,
  );
  return r.rows.map((row) => {
    const lastSeq = num(row.last_seq) ?? 0;
    const receivedAt = num(row.received_at);
    const at = num(row.at);
    return {
      stationId: row.id,
      online: row.online,
      lastSeq,
      missing: lastSeq - (num(row.events) ?? 0),
      newestReceivedAt: receivedAt,
      ageMs: receivedAt === null ? null : now - receivedAt,
      arrivalDelayMs: receivedAt === null || at === null ? null : receivedAt - at,
    };
  });
}
