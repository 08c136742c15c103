/**
 * The outbox (real SQLite): every committed record is queued in its own transaction, and nothing a transaction
 * rolled back is; entries come out in seq order and stay until the broker acknowledged them. Each entry maps to an
 * event the wire schema accepts.
 */
import { describe, expect, it } from 'vitest';
import { eventMessage } from '../../station/network/messages.ts';
import { toEvent } from '../../station/network/toEvent.ts';
import { DAY_MS } from '../../station/store/evidence.ts';
import { OUTBOX_KEEP_SENT_DAYS, type Store } from '../../station/store/index.ts';
import { freshStore, seeded, verdictFor } from '../store/helpers.ts';

function inspect(store: Store, refSetId: number, score: number, at = Date.now()) {
  return store.inspections.record({
    inspectedAt: at,
    productId: 'tile',
    makerId: 'ana',
    referenceSetId: refSetId,
    score,
    verdict: verdictFor(score),
    band: { reviewAt: 0.5, failAt: 0.8 },
    timings: { embed: 40 },
    framePath: '2024-05-01/x-frame-00.jpg',
  });
}

const noThumbnails = async () => ({});

describe('the outbox', () => {
  it('queues each committed record, in commit order, with the kinds the network knows', () => {
    const store = freshStore();
    const { refSet } = seeded(store); // a version, then its activation
    const row = inspect(store, refSet.id, 0.9);
    store.reviews.add({ inspectionId: row.id, action: 'confirm_defect', userName: 'lead' });
    const kinds = store.outbox.unsent().map((e) => e.kind);
    expect(kinds).toEqual(['reference_set_version', 'reference_set_activated', 'inspection', 'review']);
    const seqs = store.outbox.unsent().map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(store.outbox.unsent(10).find((e) => e.kind === 'inspection')?.payload).toMatchObject({
      id: row.id,
      score: 0.9,
      verdict: 'fail',
    });
  });

  it('queues nothing for a record its transaction refused', () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const before = store.outbox.backlog().count;
    expect(() =>
      store.inspections.record({ inspectedAt: Date.now(), productId: 'no-such', score: 0.1, verdict: 'pass' }),
    ).toThrow();
    const row = inspect(store, refSet.id, 0.9);
    store.reviews.add({ inspectionId: row.id, action: 'confirm_defect', userName: 'lead' });
    // deciding the same way twice is refused inside the review's transaction
    expect(() => store.reviews.add({ inspectionId: row.id, action: 'confirm_defect', userName: 'lead' })).toThrow(
      /already confirmed/,
    );
    expect(store.outbox.backlog().count).toBe(before + 2);
  });

  it('keeps an entry until the broker acknowledged it; sent entries go after a week, unsent ones never', () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const t0 = Date.now();
    const a = inspect(store, refSet.id, 0.1, t0);
    inspect(store, refSet.id, 0.2, t0);
    const entries = store.outbox.unsent();
    const first = entries.find((e) => e.kind === 'inspection' && e.payload.id === a.id);
    expect(first).toBeDefined();
    const backlog = store.outbox.backlog();
    expect(backlog.oldestAt).toBeLessThanOrEqual(t0);
    for (const e of entries.slice(0, -1)) store.outbox.markSent(e.seq, t0);
    store.outbox.markSent(entries[0].seq, t0 + 1); // a resend's acknowledgement changes nothing
    expect(store.outbox.unsent().map((e) => e.seq)).toEqual([entries.at(-1)?.seq]);
    expect(store.outbox.backlog().count).toBe(1);
    // unsent-after paging
    expect(store.outbox.unsent(10, entries.at(-1)?.seq)).toEqual([]);
    expect(store.outbox.pruneSent(t0)).toBe(0); // sent at t0: not before t0
    expect(store.outbox.pruneSent(t0 + OUTBOX_KEEP_SENT_DAYS * DAY_MS)).toBe(entries.length - 1);
    expect(store.outbox.backlog().count).toBe(1);
  });

  it('a seq is never reused, even after the newest entries were pruned', () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    inspect(store, refSet.id, 0.1);
    const top = store.outbox.unsent().at(-1)?.seq ?? 0;
    for (const e of store.outbox.unsent()) store.outbox.markSent(e.seq, 0);
    store.outbox.pruneSent(1);
    inspect(store, refSet.id, 0.2);
    expect(store.outbox.unsent()[0].seq).toBe(top + 1);
  });

  it('tells listeners after the commit, once the synchronous work is over', async () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    let heard = 0;
    store.outbox.onAdded(() => heard++);
    inspect(store, refSet.id, 0.3);
    expect(heard).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(heard).toBeGreaterThan(0);
  });
});

describe('outbox entries on the wire', () => {
  it('every kind maps to an event the version-1 schema accepts, thumbnails included', async () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const row = inspect(store, refSet.id, 0.6);
    store.reviews.add({ inspectionId: row.id, action: 'accept_good', userName: 'lead', note: 'glaze drip' });
    store.outbox.add('selection', { productId: 'tile', makerId: null });
    const entries = store.outbox.unsent();
    expect(new Set(entries.map((e) => e.kind)).size).toBe(5);
    for (const e of entries) {
      const event = await toEvent(e, 'bench-1', async () => ({ frame: 'AAAA' }));
      const parsed = eventMessage.safeParse(event);
      expect(parsed.success, `${e.kind}: ${parsed.error?.message}`).toBe(true);
      expect(event).toMatchObject({ v: 1, station: 'bench-1', seq: e.seq, kind: e.kind });
    }
    const insp = await toEvent(entries.find((e) => e.kind === 'inspection')!, 'bench-1', noThumbnails);
    expect(insp.data).toMatchObject({ band: { reviewAt: 0.5, failAt: 0.8 }, verdict: 'review', thumbnails: {} });
    const review = await toEvent(entries.find((e) => e.kind === 'review')!, 'bench-1', noThumbnails);
    expect(review.data).toMatchObject({ action: 'accept_good', reviewStatus: 'accepted_good', trainsOn: false });
  });

  it('the schema refuses what the hub must not take: a wrong version, a station id with a topic character', async () => {
    const store = freshStore();
    seeded(store);
    const event = await toEvent(store.outbox.unsent()[0], 'bench-1', noThumbnails);
    expect(eventMessage.safeParse({ ...event, v: 2 }).success).toBe(false);
    expect(eventMessage.safeParse({ ...event, station: 'bench/1' }).success).toBe(false);
    expect(eventMessage.safeParse({ ...event, seq: 0 }).success).toBe(false);
    expect(eventMessage.safeParse({ ...event, extra: 1 }).success).toBe(false);
  });
});
