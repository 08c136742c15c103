// The hub's Review page deciding items, in real Chromium against a real hub, PostgreSQL, Mosquitto and a real bench
// (store, command handler, publisher: tests/network/reviewBench.ts). A lead presses Accept good: the card says "sent
// to the bench…" while the bench is offline and the item stays; once the bench is back and has recorded it, the item
// leaves the list. A decision the bench refuses (the item was decided there meanwhile) shows the bench's reason.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideReview } from '../../station/runtime/review.ts';
import { buildDashboard, launch, loginThroughPage, shot, watchErrors } from '../dashboard/browser.ts';
import { openReviewBench, type ReviewBench } from '../network/reviewBench.ts';
import { waitUntil } from '../network/mqttClients.ts';
import { addLead, type HubHarness, LEAD, startHubHarness } from './harness.ts';

const STATION = 'bench-r';
let h: HubHarness;
let bench: ReviewBench;
let browser: Browser;
let page: Page;
let dashboardDir: string;
let errors: string[] = [];

const hubStatus = async (id: number) =>
  (await h.hub.pool.query('SELECT review_status FROM inspections WHERE station_id = $1 AND id = $2', [STATION, id]))
    .rows[0]?.review_status as string | undefined;
async function hubHas(id: number, status: string) {
  const deadline = Date.now() + 15_000;
  while ((await hubStatus(id)) !== status) {
    if (Date.now() > deadline) throw new Error(`item ${id} never became ${status} at the hub`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const cardOf = (id: number) => `.review-card[data-station="${STATION}"][data-id="${id}"]`;

beforeAll(async () => {
  dashboardDir = buildDashboard();
  h = await startHubHarness({ dashboardDir }, [{ id: STATION, password: 'bench-r-secret' }]);
  await addLead(h);
  bench = await openReviewBench(STATION, () => h.brokerUrl, 'bench-r-secret');
  bench.connect();
  browser = await launch();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  errors = watchErrors(page);
  await loginThroughPage(page, h.url, LEAD.name, LEAD.password, '/');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bench?.close();
  await h?.close();
  if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
}, 60_000);

describe('deciding on the hub Review page', () => {
  it('Accept good: "sent to the bench…" until the bench records it, then the item leaves', async () => {
    const item = await bench.inspect(60);
    const other = await bench.inspect(61);
    await hubHas(item.id, 'pending');
    await hubHas(other.id, 'pending');
    await bench.disconnect();
    await page.goto(`${h.url}/review?station=${STATION}`);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.$$eval('.review-card', (els) => els.length)).toBe(2);

    await page.click(`${cardOf(item.id)} button.accept-good`);
    const state = `${cardOf(item.id)} .decision-state[data-state="sent"]`;
    await page.waitForSelector(state, { timeout: 10_000 });
    expect(await page.textContent(state)).toContain(`Sent to the bench… (accept good by ${LEAD.name}@hub)`);
    expect(await page.isDisabled(`${cardOf(item.id)} button.confirm-defect`)).toBe(true);
    // The bench is away: nothing is decided anywhere yet, and the page keeps the item (it polls meanwhile).
    await new Promise((r) => setTimeout(r, 2500));
    expect(await page.$(cardOf(item.id))).not.toBeNull();
    expect(await hubStatus(item.id)).toBe('pending');
    await shot(page, 'hub-review-sent');

    bench.connect();
    await page.waitForSelector(cardOf(item.id), { state: 'detached', timeout: 15_000 });
    expect(bench.store.reviews.forInspection(item.id).map((r) => [r.action, r.userName])).toEqual([
      ['accept_good', `${LEAD.name}@hub`],
    ]);
    expect(await hubStatus(item.id)).toBe('accepted_good');
    expect(await page.$(cardOf(other.id))).not.toBeNull();
  }, 60_000);

  it("shows the bench's reason when it refuses (the item was decided at the bench meanwhile)", async () => {
    const item = await bench.inspect(62);
    await hubHas(item.id, 'pending');
    await bench.disconnect();
    await decideReview(
      {
        store: bench.store,
        dataDir: bench.store.dataDir,
        calibrationDir: bench.calibrationDir,
        log: { info() {}, warn() {} },
      },
      { inspectionId: item.id, action: 'accept_good', userName: 'ana', seenStatus: 'pending' },
    );
    await page.goto(`${h.url}/review?station=${STATION}`);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.fill(`${cardOf(item.id)} textarea.note`, 'crack under the glaze');
    await page.click(`${cardOf(item.id)} button.confirm-defect`);
    await page.waitForSelector(`${cardOf(item.id)} .decision-state[data-state="sent"]`);

    bench.connect();
    // The bench's own accept arrives (the card goes) and its refusal is listed with the reason.
    const refused = `#review-refused li.refused[data-id="${item.id}"]`;
    await page.waitForSelector(refused, { timeout: 15_000 });
    expect(await page.textContent(refused)).toContain(
      `Refused by the bench (confirm defect by ${LEAD.name}@hub): inspection ${item.id} changed since it was shown (it is now accepted good by ana)`,
    );
    expect(await page.$(cardOf(item.id))).toBeNull();
    await waitUntil(() => bench.store.reviews.forInspection(item.id).length === 1, 'one review at the bench');
    await shot(page, 'hub-review-refused');
    expect(errors).toEqual([]);
  }, 60_000);
});
