// One standard for every bench, from the hub's Reference sets page (issue 17, part 3), on real parts: a real hub,
// PostgreSQL and Mosquitto, real Chromium, and MQTT clients signed in with the broker's station credentials standing
// in for the benches. A lead publishes a set the hub holds to two benches; the commands arrive at those stations
// only; the benches' answers (kept, checked — one within its expected false-alarm range, one with too many — and
// refused) are recorded as the ingest records them; the page shows each state and figure, offers "Activate on this
// bench" only where the bench holds and has checked the set, and the activation arrives at that station.
// The hub treats a set's file as opaque bytes under its sha256 (tests/network/referenceSetPublish.test.ts has real
// stations read real files).
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  BenchReferenceSetsResponse,
  HeldReferenceSetsResponse,
  ReferenceSetDelivery,
} from '../../hub/server/contract.d.ts';
import { eventFault, recordEvent, recordStatus } from '../../hub/db/record.ts';
import { type CommandMessage, commandMessage } from '../../station/network/commands.ts';
import { type EventData, type EventKind, eventMessage } from '../../station/network/messages.ts';
import { commandsTopic } from '../../station/network/topics.ts';
import { buildDashboard, launch, loginThroughPage, shot, watchErrors } from '../dashboard/browser.ts';
import { Clients, type Received, waitUntil } from '../network/mqttClients.ts';
import { addLead, HubClient, type HubHarness, LEAD, startHubHarness } from './harness.ts';

const BENCHES = ['bench-a', 'bench-b', 'bench-c'] as const;
type BenchId = (typeof BENCHES)[number];
const SOURCE = 'workroom';
const PRODUCT = 'mug';
const BAND = { reviewAt: 14, failAt: 17 };
/** The set the workroom calibrated, as opaque bytes: the hub keeps and sends them, never reads them. */
const FILE = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256));
const SHA = createHash('sha256').update(FILE).digest('hex');
const password = (id: string) => `${id}-secret`;

let h: HubHarness;
let browser: Browser;
let page: Page;
let dashboardDir: string;
const pageErrors: string[] = [];
const clients = new Clients(() => h.brokerUrl);
const inbox = new Map<BenchId, Received[]>();
const seq = new Map<string, number>();

/** An event as a station's outbox sends it, checked and recorded as the hub's ingest does. */
async function stationSends<K extends EventKind>(station: string, kind: K, data: EventData<K>): Promise<void> {
  const n = (seq.get(station) ?? 0) + 1;
  seq.set(station, n);
  const e = eventMessage.parse({ v: 1, kind, station, seq: n, at: Date.now(), data });
  expect(eventFault(e)).toBeNull();
  expect(await recordEvent(h.hub.pool, e)).toBe('new');
}

/** What a bench does once it kept the set: a local version of its own, named by the file's sha256. */
const benchKeeps = (station: BenchId, id: number) =>
  stationSends(station, 'reference_set_version', {
    id,
    productId: PRODUCT,
    version: id,
    modelSha256: 'a'.repeat(64),
    backboneId: 'mobilenet-v2',
    imageCount: 40,
    band: BAND,
    scoreKind: 'top',
    format: 2,
    createdAt: Date.now(),
    sha256: SHA,
    file: FILE.toString('base64'),
  });

/** The bench check: `flagged` of `good` good images judged review or fail, against an expected range. */
function check(version: number, good: number, flagged: number): EventData<'reference_set_checked'> {
  const expected = { falseAlarmRate: [0, 0.2] as [number, number], failRate: [0, 0.1] as [number, number] };
  const falseAlarmRate = flagged / good;
  return {
    productId: PRODUCT,
    sha256: SHA,
    version,
    checked: true,
    reason: null,
    goodImages: good,
    inSet: 0,
    falseAlarmRate,
    failRate: 0,
    expected,
    atEdgeIntervals: null,
    ok: falseAlarmRate <= expected.falseAlarmRate[1],
  };
}

const commandsAt = (id: BenchId): CommandMessage[] =>
  inbox.get(id)!.map((m) => commandMessage.parse(JSON.parse(m.payload)));
const card = `[data-sha256="${SHA}"]`;
const row = (id: BenchId) => `${card} tr[data-station="${id}"]`;
const activate = (id: BenchId) => `${row(id)} .activate button`;
const waitForRow = (id: BenchId, state: ReferenceSetDelivery['state']) =>
  page.waitForSelector(`${row(id)}[data-state="${state}"]`, { timeout: 15_000 });

async function publishFromPage(stations: BenchId[]): Promise<void> {
  for (const s of stations) await page.check(`${card} .station-choice[data-station="${s}"] input`);
  await page.click(`${card} button.publish`);
}

beforeAll(async () => {
  dashboardDir = buildDashboard();
  h = await startHubHarness(
    { dashboardDir },
    BENCHES.map((id) => ({ id, password: password(id) })),
  );
  await addLead(h);
  // The workroom calibrated the mug: its version, file inside, reached the hub; the benches are online.
  await stationSends(SOURCE, 'reference_set_version', {
    id: 7,
    productId: PRODUCT,
    version: 3,
    modelSha256: 'a'.repeat(64),
    backboneId: 'mobilenet-v2',
    imageCount: 40,
    band: BAND,
    scoreKind: 'top',
    format: 2,
    createdAt: Date.now() - 3_600_000,
    sha256: SHA,
    file: FILE.toString('base64'),
  });
  for (const station of [SOURCE, ...BENCHES]) await recordStatus(h.hub.pool, { v: 1, station, online: true, at: 1 });
  // Each bench reads its own commands topic, as its publisher does.
  for (const id of BENCHES) {
    const c = await clients.connectListening(id, password(id));
    await c.client.subscribeAsync(commandsTopic(id), { qos: 1 });
    inbox.set(id, c.inbox);
  }
  browser = await launch();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  page = await ctx.newPage();
  pageErrors.push(...watchErrors(page));
  await loginThroughPage(page, h.url, LEAD.name, LEAD.password, '/reference-sets');
  await page.waitForSelector('body[data-loaded="true"][data-deliveries]');
}, 120_000);

afterAll(async () => {
  await clients.endAll();
  await browser?.close();
  await h?.close();
  if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
});

describe('the API the page relies on', () => {
  let lead: HubClient;
  beforeAll(async () => {
    lead = new HubClient(h.url);
    expect((await lead.login()).status).toBe(200);
  });

  it('lists the sets the hub holds by sha256, with their source, band and size, never their bytes', async () => {
    const held = await lead.json<HeldReferenceSetsResponse>('/api/reference-sets/held');
    expect(held.sets).toHaveLength(1);
    expect(held.sets[0]).toMatchObject({
      sha256: SHA,
      productId: PRODUCT,
      sourceStation: SOURCE,
      sourceVersion: 3,
      band: BAND,
      backboneId: 'mobilenet-v2',
      bytes: FILE.length,
    });
    expect(JSON.stringify(held)).not.toContain(FILE.toString('base64').slice(0, 40));
    expect((await new HubClient(h.url).get('/api/reference-sets/held')).status).toBe(401);
  });

  it('refuses to activate a set a bench has not reported holding (409), and says so', async () => {
    const res = await lead.post('/api/reference-sets/activate', { sha256: SHA, station: 'bench-a' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/bench-a has not reported holding/);
    expect(commandsAt('bench-a')).toEqual([]);
  });

  it('answers an unknown set or bench with 404, naming it', async () => {
    const unknownSet = await lead.post('/api/reference-sets/publish', {
      sha256: 'ab'.repeat(32),
      stations: ['bench-a'],
    });
    expect(unknownSet.status).toBe(404);
    const unknownBench = await lead.post('/api/reference-sets/publish', { sha256: SHA, stations: ['bench-z'] });
    expect(unknownBench.status).toBe(404);
    expect(((await unknownBench.json()) as { error: string }).error).toContain('bench-z');
  });
});

describe('publishing and activating from the Reference sets page', () => {
  it('offers the held set with every bench but its source to choose from', async () => {
    expect(await page.textContent(`${card} h3`)).toContain(`${PRODUCT} · v3 from ${SOURCE}`);
    const choices = await page.$$eval(`${card} .station-choice`, (els) =>
      els.map((e) => e.getAttribute('data-station')),
    );
    expect(choices).toEqual([...BENCHES]);
    expect(await page.textContent(`${card} tbody`)).toContain('Not published yet');
  });

  it("shows the API's error plainly when the lead sends to no bench", async () => {
    await page.click(`${card} button.publish`);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent, `${card} .form-error`);
    expect(await page.textContent(`${card} .form-error`)).toContain('name at least one station');
    expect(await page.isEnabled(`${card} button.publish`)).toBe(true);
  });

  it('sends the set to the two chosen benches only; they wait with Activate disabled', async () => {
    await publishFromPage(['bench-a', 'bench-b']);
    await waitUntil(() => inbox.get('bench-a')!.length + inbox.get('bench-b')!.length === 2, 'both publish commands');
    for (const id of ['bench-a', 'bench-b'] as const) {
      const [c] = commandsAt(id);
      expect(inbox.get(id)![0].topic).toBe(commandsTopic(id));
      expect(c.kind).toBe('publish_reference_set');
      if (c.kind !== 'publish_reference_set') continue;
      expect(c.data).toMatchObject({ productId: PRODUCT, sha256: SHA, band: BAND });
      expect(Buffer.from(c.data.file, 'base64').equals(FILE)).toBe(true);
    }
    expect(commandsAt('bench-c')).toEqual([]);
    for (const id of ['bench-a', 'bench-b'] as const) {
      await waitForRow(id, 'sent');
      expect(await page.textContent(`${row(id)} .state`)).toContain('Sent, waiting for the bench');
      expect(await page.isDisabled(activate(id))).toBe(true);
    }
    expect(await page.isChecked(`${card} .station-choice[data-station="bench-a"] input`)).toBe(false);
    expect(await page.getAttribute('body', 'data-deliveries')).toBe('pending');
  });

  it("shows each bench's answer as it comes: kept, then checked, with the false-alarm figure", async () => {
    await benchKeeps('bench-a', 1);
    await waitForRow('bench-a', 'received');
    expect(await page.isDisabled(activate('bench-a'))).toBe(true);

    const okCheck = check(1, 20, 1);
    const tooMany = check(2, 25, 9);
    expect([okCheck.ok, tooMany.ok]).toEqual([true, false]);
    await stationSends('bench-a', 'reference_set_checked', okCheck);
    await benchKeeps('bench-b', 2);
    await stationSends('bench-b', 'reference_set_checked', tooMany);
    await waitForRow('bench-a', 'checked');
    await waitForRow('bench-b', 'checked');

    const a = await page.textContent(`${row('bench-a')} .check`);
    expect(a).toContain('False alarms 5.0% (1 of 20 good images), expected 0%–20%: ✓ ok');
    const b = await page.textContent(`${row('bench-b')} .check`);
    expect(b).toContain(`(9 of 25 good images)`);
    expect(b).toContain('✕ too many false alarms');
    // The figure stands beside the button, so the lead activates with it in view.
    expect(await page.textContent(`${row('bench-b')} .state`)).toContain('✕ Checked, out of range');
    expect(await page.textContent(`${row('bench-a')} .state`)).toContain('✓ Checked');
    expect(await page.textContent(`${row('bench-b')} .activate .figure`)).toBe(
      '36% false alarms on 25 good images · ✕ too many',
    );
    for (const id of ['bench-a', 'bench-b'] as const) expect(await page.isEnabled(activate(id))).toBe(true);
    await page.waitForSelector('body[data-deliveries="settled"]');
  });

  it("shows a bench's refusal with its reason, and nothing to activate there", async () => {
    await publishFromPage(['bench-c']);
    await waitUntil(() => inbox.get('bench-c')!.length === 1, "bench-c's publish command");
    expect(commandsAt('bench-c')[0]).toMatchObject({ kind: 'publish_reference_set', data: { sha256: SHA } });
    await waitForRow('bench-c', 'sent');
    const reason = "this bench has no backbone 'mobilenet-v2'; refused";
    await stationSends('bench-c', 'reference_set_refused', {
      productId: PRODUCT,
      sha256: SHA,
      command: 'publish_reference_set',
      reason,
    });
    await waitForRow('bench-c', 'refused');
    expect(await page.textContent(`${row('bench-c')} .state`)).toContain('✕ Refused');
    expect(await page.textContent(`${row('bench-c')} .check`)).toBe(`Refused: ${reason}`);
    expect(await page.isDisabled(activate('bench-c'))).toBe(true);
    const enabled = await page.$$eval(`${card} tbody tr`, (trs) =>
      trs.filter((tr) => tr.querySelector('button:enabled')).map((tr) => tr.getAttribute('data-station')),
    );
    expect(enabled).toEqual(['bench-a', 'bench-b']);
    await shot(page, 'hub-reference-set-publish');
  });

  it('activates on one bench after a confirm that shows its figure; the command reaches that bench only', async () => {
    const before = { a: inbox.get('bench-a')!.length, b: inbox.get('bench-b')!.length };
    // Cancelled first: nothing may be sent.
    page.once('dialog', (d) => void d.dismiss());
    await page.click(activate('bench-a'));
    let question = '';
    page.once('dialog', (d) => {
      question = d.message();
      void d.accept();
    });
    await page.click(activate('bench-a'));
    await waitUntil(() => inbox.get('bench-a')!.length > before.a, "bench-a's activate command");
    expect(question).toContain('on bench-a');
    expect(question).toContain('1 of 20 good images');
    const sent = commandsAt('bench-a').slice(before.a);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: 'activate_reference_set', data: { productId: PRODUCT, sha256: SHA } });
    expect(inbox.get('bench-b')!.length).toBe(before.b);
    await page.waitForSelector(`${activate('bench-a')}:has-text("Activation sent")`);
    expect(await page.isDisabled(activate('bench-a'))).toBe(true);

    // The bench activates it: the row says so, and the versions below show what it runs now.
    await stationSends('bench-a', 'reference_set_activated', { productId: PRODUCT, version: 1, referenceSetId: 1 });
    await waitForRow('bench-a', 'active');
    expect(await page.textContent(`${row('bench-a')} .activate`)).toContain('Judging by it');
    await page.waitForSelector(`[data-product=${PRODUCT}] .chips .chip[data-station="bench-a"]:has-text("v1")`);
    expect(await page.isEnabled(activate('bench-b'))).toBe(true);
  });

  it('the page showed what the API says of every bench', async () => {
    const lead = new HubClient(h.url);
    await lead.login();
    const benches = await lead.json<BenchReferenceSetsResponse>('/api/reference-sets/benches');
    const states = Object.fromEntries(
      benches.flatMap((b) => b.deliveries.filter((d) => d.sha256 === SHA).map((d) => [b.stationId, d.state])),
    );
    expect(states).toEqual({ 'bench-a': 'active', 'bench-b': 'checked', 'bench-c': 'refused' });
    const shown = await page.$$eval(`${card} tbody tr`, (trs) =>
      Object.fromEntries(trs.map((tr) => [tr.getAttribute('data-station'), tr.getAttribute('data-state')])),
    );
    expect(shown).toEqual(states);
    expect(benches.find((b) => b.stationId === 'bench-a')?.active).toEqual({ version: 1, sha256: SHA });
    expect(pageErrors).toEqual([]);
  });
});
