// The outbox: each record the station commits (an inspection, a review decision, a reference-set version or
// activation, a change of selection, and its answers to the hub's commands) is queued here in the same transaction, so the workshop network gets exactly
// what the station holds — nothing the station rolled back, nothing it kept but forgot to send. A publisher sends
// the rows in seq order and marks each sent once the broker acknowledges it (station/network/publisher.ts).
import { parseJsonColumn, requireOneOf, toJson, type Db } from './common.ts';
import { z } from 'zod';

export const outboxKinds = [
  'inspection',
  'review',
  'reference_set_version',
  'reference_set_activated',
  'selection',
  'reference_set_refused',
  'reference_set_checked',
  'review_refused',
] as const;
export type OutboxKind = (typeof outboxKinds)[number];

export interface OutboxEntry {
  /** The station-sequence: increasing, never reused; the hub keys on it with the station id. */
  seq: number;
  kind: OutboxKind;
  payload: Record<string, unknown>;
  createdAt: number;
}

export interface OutboxBacklog {
  /** Entries not yet acknowledged by the broker. */
  count: number;
  /** When the oldest of them was committed (ms epoch), or null with none. */
  oldestAt: number | null;
}

interface Row {
  seq: number;
  kind: OutboxKind;
  payload_json: string;
  created_at: number;
}

const payloadColumn = z.record(z.string(), z.unknown());

export function outboxRepo(db: Db) {
  const insert = db.prepare('INSERT INTO outbox (kind, payload_json, created_at) VALUES (?, ?, ?)');
  const unsentStmt = db.prepare(
    'SELECT seq, kind, payload_json, created_at FROM outbox WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?',
  );
  const markStmt = db.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ? AND sent_at IS NULL');
  const backlogStmt = db.prepare('SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE sent_at IS NULL');
  const pruneStmt = db.prepare('DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?');
  const listeners: (() => void)[] = [];

  return {
    /**
     * Queue one record. Call it inside the transaction that commits the record: both land or neither does.
     * Listeners hear of it once the current synchronous work (and so the transaction) is over.
     */
    add(kind: OutboxKind, payload: object, now = Date.now()): number {
      requireOneOf(kind, outboxKinds, 'outbox kind');
      const seq = Number(insert.run(kind, toJson(payload, `outbox ${kind} payload`), now).lastInsertRowid);
      if (listeners.length)
        setImmediate(() => {
          for (const l of listeners) l();
        });
      return seq;
    },

    /** Unsent entries after `afterSeq`, oldest first. */
    unsent(limit = 100, afterSeq = 0): OutboxEntry[] {
      return (unsentStmt.all(afterSeq, limit) as Row[]).map((r) => ({
        seq: r.seq,
        kind: r.kind,
        payload: parseJsonColumn(r.payload_json, payloadColumn, `outbox ${r.seq} payload_json`),
        createdAt: r.created_at,
      }));
    },

    /** The broker acknowledged it. Marking twice is harmless (a resend after a reconnect). */
    markSent(seq: number, now = Date.now()): void {
      markStmt.run(now, seq);
    },

    backlog(): OutboxBacklog {
      const r = backlogStmt.get() as { n: number; oldest: number | null };
      return { count: r.n, oldestAt: r.oldest };
    },

    /** Forget entries the broker acknowledged before `before`; unsent ones are kept whatever their age. */
    pruneSent(before: number): number {
      return pruneStmt.run(before).changes;
    },

    /** Called (soon after) whenever an entry is queued: a publisher wakes instead of polling. */
    onAdded(listener: () => void): void {
      listeners.push(listener);
    },
  };
}
