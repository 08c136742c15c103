/**
 * A lead's review decision on its way to a bench, per (station, inspection): sent by the hub → recorded (the bench's
 * own review event arrived) or refused (the bench's review_refused, with its reason). The item's review status is
 * never changed here: only the bench's review event moves it (hub/db/record.ts).
 */
import type { Pool, PoolClient } from 'pg';
import type { EventData } from '../../station/network/messages.ts';

type Db = Pool | PoolClient;

export interface SentDecision {
  station: string;
  inspectionId: number;
  action: EventData<'review'>['action'];
  note: string | null;
  /** As the bench will record it: "<lead>@hub". */
  userName: string;
}

/** Written before the command leaves, so no answer from the bench can arrive before its row. */
export async function recordDecisionSent(db: Db, s: SentDecision, now = Date.now()): Promise<void> {
  await db.query(
    `INSERT INTO review_requests (station_id, inspection_id, action, note, user_name, state, sent_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'sent', $6, $6)
     ON CONFLICT (station_id, inspection_id) DO UPDATE SET action = $3, note = $4, user_name = $5, state = 'sent',
       sent_at = $6, updated_at = $6, reason = NULL`,
    [s.station, s.inspectionId, s.action, s.note, s.userName, now],
  );
}

/** The send failed after its row was written: the lead is told and may try again; nothing is on its way. */
export async function forgetDecisionSent(db: Db, station: string, inspectionId: number, sentAt: number) {
  await db.query(
    `DELETE FROM review_requests WHERE station_id = $1 AND inspection_id = $2 AND state = 'sent' AND sent_at = $3`,
    [station, inspectionId, sentAt],
  );
}

/** What the bench's events do to a request (inside the event's transaction). */
export const decisionAnswered = {
  /** The bench recorded a decision: the one the lead sent (same action, same "<lead>@hub") is done. */
  async recorded(c: PoolClient, station: string, d: EventData<'review'>, now: number) {
    await c.query(
      `UPDATE review_requests SET state = 'recorded', updated_at = $5
       WHERE station_id = $1 AND inspection_id = $2 AND action = $3 AND user_name = $4 AND state = 'sent'`,
      [station, d.inspectionId, d.action, d.userName, now],
    );
  },

  /**
   * Kept even without a request row (a command the hub sent before its database knew it): the reason is the news.
   * A request already recorded stays so: a command the broker delivered twice is refused the second time ("already
   * accepted…"), which says nothing about the decision that was made.
   */
  async refused(c: PoolClient, station: string, d: EventData<'review_refused'>, now: number) {
    await c.query(
      `INSERT INTO review_requests (station_id, inspection_id, action, user_name, state, updated_at, reason)
       VALUES ($1, $2, $3, $4, 'refused', $5, $6)
       ON CONFLICT (station_id, inspection_id) DO UPDATE SET state = 'refused', updated_at = $5, reason = $6
       WHERE review_requests.action = $3 AND review_requests.user_name = $4 AND review_requests.state <> 'recorded'`,
      [station, d.inspectionId, d.action, d.userName, now, d.reason],
    );
  },
};
