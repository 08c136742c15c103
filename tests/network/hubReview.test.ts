/**
 * Review decisions from the hub (issue 17, part 2), on real parts: a private Mosquitto and PostgreSQL, the hub as
 * `npm run hub` composes it, and a bench with a real store, the real command handler and the real publisher.
 *
 * A lead decides items on the hub: the bench records each as its own lead's decision, by "<lead>@hub" (accept_good
 * adds the frame to the product's good calibration images, as on the bench), its review event comes back through
 * the outbox, and only then does the hub show the item decided. An inspection the bench does not have, and one
 * decided at the bench meanwhile, are refused with the reason; a bench offline when the lead decides gets the
 * decision when it reconnects.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandSender } from '../../hub/commands.ts';
import type { HubReviewResponse } from '../../hub/server/contract.d.ts';
import { decideReview } from '../../station/runtime/review.ts';
import { resolveEvidence } from '../../station/store/index.ts';
import { addLead, HubClient, type HubHarness, LEAD, startHubHarness } from '../hub/harness.ts';
import { openReviewBench, PRODUCT, type ReviewBench } from './reviewBench.ts';

const STATION = 'bench-a';
const BY = `${LEAD.name}@hub`;
let h: HubHarness;
let bench: ReviewBench;
let lead: HubClient;

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hubRow = async (id: number) =>
  (await h.hub.pool.query('SELECT review_status FROM inspections WHERE station_id = $1 AND id = $2', [STATION, id]))
    .rows[0]?.review_status as string | undefined;
const hubReviews = async (id: number) =>
  (
    await h.hub.pool.query(
      'SELECT action, user_name, trains_on, review_status FROM reviews WHERE station_id = $1 AND inspection_id = $2 ORDER BY seq',
      [STATION, id],
    )
  ).rows;
const request = async (id: number) =>
  (await h.hub.pool.query('SELECT * FROM review_requests WHERE station_id = $1 AND inspection_id = $2', [STATION, id]))
    .rows[0];
const reviewPage = () => lead.json<HubReviewResponse>(`/api/review?station=${STATION}`);
const decide = async (id: number, action: string, note?: string) => {
  const res = await lead.post(`/api/review/${STATION}/${id}`, note === undefined ? { action } : { action, note });
  return { status: res.status, body: await res.json() };
};
/** A new borderline item, once the hub lists it. */
async function itemAtHub(shade: number) {
  const row = await bench.inspect(shade);
  await until(
    `item ${row.id} at the hub`,
    () => hubRow(row.id),
    (s) => s === 'pending',
  );
  return row;
}
const online = async () =>
  (await h.hub.pool.query('SELECT online FROM stations WHERE id = $1', [STATION])).rows[0]?.online as boolean;

beforeAll(async () => {
  h = await startHubHarness({}, [{ id: STATION, password: `${STATION}-secret` }]);
  await addLead(h);
  lead = new HubClient(h.url);
  expect((await lead.login()).status).toBe(200);
  bench = await openReviewBench(STATION, () => h.brokerUrl, `${STATION}-secret`);
  bench.connect();
  await until('the bench online at the hub', online, (o) => o === true);
}, 120_000);

afterAll(async () => {
  await bench?.close();
  await h?.close();
}, 60_000);

describe('a lead decides from the hub; the bench records it', () => {
  it('accept good: recorded at the bench by <lead>@hub, the frame joins the good images, then the hub shows it', async () => {
    const item = await itemAtHub(40);
    expect((await reviewPage()).items.map((i) => i.id)).toContain(item.id);

    const res = await decide(item.id, 'accept_good');
    expect(res).toMatchObject({ status: 202, body: { station: STATION, inspectionId: item.id, userName: BY } });
    await until(
      'the review event at the hub',
      () => hubRow(item.id),
      (s) => s === 'accepted_good',
    );

    // The bench's own record: the review, by the hub lead, and the item's status.
    const reviews = bench.store.reviews.forInspection(item.id);
    expect(reviews.map((r) => [r.action, r.userName])).toEqual([['accept_good', BY]]);
    expect(bench.store.inspections.get(item.id)?.reviewStatus).toBe('accepted_good');
    // accept_good trains on the item, exactly as on the bench: its frame, byte for byte, in the good folder.
    const copy = path.join(bench.calibrationDir, PRODUCT, 'good', `inspection-${item.id}.jpg`);
    expect(readFileSync(copy)).toEqual(readFileSync(resolveEvidence(bench.store.dataDir, item.framePath!)));
    const images = bench.store.calibrationImages.list(PRODUCT);
    expect(images.filter((i) => i.inspectionId === item.id).map((i) => [i.source, i.filePath])).toEqual([
      ['review', copy],
    ]);

    // The hub: the bench's event, the request done, the item off the pending list.
    expect(await hubReviews(item.id)).toEqual([
      { action: 'accept_good', user_name: BY, trains_on: true, review_status: 'accepted_good' },
    ]);
    expect(await request(item.id)).toMatchObject({ state: 'recorded', user_name: BY, reason: null });
    expect((await reviewPage()).items.map((i) => i.id)).not.toContain(item.id);
  });

  it('confirm defect and a note, the same way; a note leaves the item waiting', async () => {
    const defect = await itemAtHub(41);
    const noted = await itemAtHub(42);
    expect((await decide(defect.id, 'confirm_defect')).status).toBe(202);
    expect((await decide(noted.id, 'note', '  glaze run near the rim ')).status).toBe(202);
    await until(
      'the defect at the hub',
      () => hubRow(defect.id),
      (s) => s === 'confirmed_defect',
    );
    await until(
      'the note at the hub',
      () => request(noted.id),
      (r) => r?.state === 'recorded',
    );

    expect(bench.store.reviews.forInspection(defect.id).map((r) => [r.action, r.userName])).toEqual([
      ['confirm_defect', BY],
    ]);
    expect(existsSync(path.join(bench.calibrationDir, PRODUCT, 'good', `inspection-${defect.id}.jpg`))).toBe(false);
    expect(bench.store.reviews.forInspection(noted.id).map((r) => [r.action, r.note, r.userName])).toEqual([
      ['note', 'glaze run near the rim', BY],
    ]);
    expect(await hubRow(noted.id)).toBe('pending');
    const page = await reviewPage();
    expect(page.items.map((i) => i.id)).not.toContain(defect.id);
    expect(page.items.find((i) => i.id === noted.id)?.request).toMatchObject({ action: 'note', state: 'recorded' });
    // Decided items are the hub's to refuse at once: it knows, and the bench would refuse later.
    expect(await decide(defect.id, 'accept_good')).toMatchObject({
      status: 409,
      body: { error: `inspection ${defect.id} of ${STATION} was already decided at the bench (confirmed defect)` },
    });
  });

  it('refuses what it cannot send: an item it never received, a malformed decision', async () => {
    expect(await decide(999_999, 'confirm_defect')).toMatchObject({
      status: 404,
      body: { error: `inspection 999999 of ${STATION} has not reached the hub` },
    });
    expect((await decide(1, 'note')).status).toBe(400);
    expect((await decide(1, 'approve')).status).toBe(400);
    expect((await lead.post('/api/review/..%2Fx/1', { action: 'note', note: 'x' })).status).toBe(400);
  });
});

describe('what the bench refuses, with the reason', () => {
  it('an inspection the bench does not have (a hub that outlived a bench reset): nothing is recorded', async () => {
    const before = bench.store.reviews.recent(1000).length;
    // Sent as the hub sends it, on its own broker connection.
    await commandSender(h.hub.ingest.client)(STATION, {
      v: 1,
      kind: 'review_decision',
      at: Date.now(),
      data: { inspectionId: 424_242, action: 'confirm_defect', note: null, lead: LEAD.name, decidedAt: Date.now() },
    });
    const r = await until(
      'the refusal at the hub',
      () => request(424_242),
      (x) => x?.state === 'refused',
    );
    expect(r).toMatchObject({
      action: 'confirm_defect',
      user_name: BY,
      reason: 'inspection 424242 is not on this bench',
    });
    expect(bench.store.reviews.recent(1000).length).toBe(before);
    expect((await reviewPage()).refused).toContainEqual(
      expect.objectContaining({
        station: STATION,
        inspectionId: 424_242,
        reason: 'inspection 424242 is not on this bench',
      }),
    );
  });

  it('a bench offline when the lead decides gets the decisions on reconnecting; one decided there meanwhile is refused', async () => {
    const later = await itemAtHub(43);
    const raced = await itemAtHub(44);
    await bench.disconnect();
    await until('the bench offline at the hub', online, (o) => o === false);

    // At the bench, its own lead confirms one item (through the station's review path); the hub cannot know yet.
    await decideReview(
      {
        store: bench.store,
        dataDir: bench.store.dataDir,
        calibrationDir: bench.calibrationDir,
        log: { info: () => {}, warn: () => {} },
      },
      { inspectionId: raced.id, action: 'confirm_defect', userName: 'ana', seenStatus: 'pending' },
    );
    expect((await decide(later.id, 'accept_good')).status).toBe(202);
    expect((await decide(raced.id, 'accept_good')).status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    // Nothing is decided on the hub's word alone: both still wait there, their requests sent.
    expect([await hubRow(later.id), await hubRow(raced.id)]).toEqual(['pending', 'pending']);
    expect((await request(later.id)).state).toBe('sent');
    expect(bench.store.reviews.forInspection(later.id)).toEqual([]);

    bench.connect();
    await until(
      'the decision made offline',
      () => hubRow(later.id),
      (s) => s === 'accepted_good',
    );
    const refused = await until(
      'the refusal',
      () => request(raced.id),
      (x) => x?.state === 'refused',
    );
    expect(refused.reason).toBe(
      `inspection ${raced.id} changed since it was shown (it is now confirmed defect by ana); look at it again before deciding`,
    );
    expect(bench.store.reviews.forInspection(later.id).map((r) => [r.action, r.userName])).toEqual([
      ['accept_good', BY],
    ]);
    // The bench's own decision stands, and is what the hub shows; the refused accept left no image behind.
    expect(bench.store.reviews.forInspection(raced.id).map((r) => [r.action, r.userName])).toEqual([
      ['confirm_defect', 'ana'],
    ]);
    expect(existsSync(path.join(bench.calibrationDir, PRODUCT, 'good', `inspection-${raced.id}.jpg`))).toBe(false);
    await until(
      'the bench lead’s decision at the hub',
      () => hubRow(raced.id),
      (s) => s === 'confirmed_defect',
    );
    expect((await hubReviews(raced.id)).map((r) => r.user_name)).toEqual(['ana']);
    expect((await reviewPage()).refused).toContainEqual(
      expect.objectContaining({ inspectionId: raced.id, action: 'accept_good', reason: refused.reason }),
    );
  }, 60_000);
});
