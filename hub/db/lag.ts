/**
 * How far behind each station the hub is, from what it stored: the last station-sequence received, how many of the
 * seqs up to it are missing (still on the way, or lost), and how old its newest row is. A bench offline or draining
 * a backlog shows here as a growing age and a last seq that lags the station's own count (its /metrics backlog).
 */
import type { Pool } from 'pg';
import { stationStatuses } from './queries/stations.ts';

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

/** One row per station the hub has heard of, by station id: the Stations page's figures, read as lag. */
export async function stationLag(pool: Pool, now = Date.now()): Promise<StationLag[]> {
  return (await stationStatuses(pool)).map((st) => ({
    stationId: st.station,
    online: st.online,
    lastSeq: st.lastSeq ?? 0,
    missing: st.missing,
    newestReceivedAt: st.lastReceivedAt,
    ageMs: st.lastReceivedAt === null ? null : now - st.lastReceivedAt,
    arrivalDelayMs: st.lagMs,
  }));
}
