// The workshop dashboard in real Chromium (Debian's, through playwright-core) against a real hub and PostgreSQL:
// a lead signs in through the login page, and each page shows the rows of the workshop the stations sent; the
// station filter filters. Screenshots go to test-output/screenshots/.
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launch, loginThroughPage, shot, watchErrors } from '../dashboard/browser.ts';
import { addLead, type HubHarness, LEAD, startHubHarness } from './harness.ts';
import { fillWorkshop, type Workshop } from './workshop.ts';

let h: HubHarness;
let w: Workshop;
let browser: Browser;
let ctx: BrowserContext;
let dashboardDir: string;
const errors: string[] = [];

beforeAll(async () => {
  dashboardDir = buildDashboard();
  h = await startHubHarness({ dashboardDir });
  w = await fillWorkshop(h.hub.pool);
  await addLead(h);
  browser = await launch();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  errors.push(...watchErrors(page));
  await loginThroughPage(page, h.url, LEAD.name, LEAD.password, '/');
  await page.close();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
});

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await ctx.newPage();
  const pageErrors = watchErrors(page);
  await page.goto(`${h.url}${path}`);
  await page.waitForSelector('body[data-loaded="true"]');
  return { page, errors: pageErrors };
}

const attrs = (page: Page, selector: string, name: string) =>
  page.$$eval(selector, (els, n) => els.map((e) => e.getAttribute(n)), name);

/** Chooses a station in the filter and waits for the page to draw what it asked for. */
async function filterTo(page: Page, station: string): Promise<void> {
  await page.selectOption('#station', station);
  await page.waitForSelector('body[data-loaded="true"]');
}

describe('workshop dashboard', () => {
  it('asks for a lead login first, then returns to the page asked for', async () => {
    const anonymous = await browser.newContext();
    const page = await anonymous.newPage();
    const res = await page.goto(`${h.url}/makers`);
    expect(res?.status()).toBe(401);
    await page.fill('#login-name', LEAD.name);
    await page.fill('#login-password', LEAD.password);
    await page.click('form.login-form button[type=submit]');
    await page.waitForSelector('body.page-hub-makers[data-loaded="true"]');
    expect(await page.textContent('[data-testid=user]')).toContain(LEAD.name);
    await anonymous.close();
  });

  it('Stations: each bench online or offline, with its last seq and what is missing', async () => {
    const { page, errors: e } = await open('/');
    expect(await attrs(page, '#stations-body tr', 'data-station')).toEqual(['bench-1', 'bench-2', 'bench-3']);
    expect(await page.textContent('tr[data-station=bench-2] .status')).toContain('Offline');
    expect(await page.textContent('tr[data-station=bench-1] .status')).toContain('Online');
    expect(await page.textContent('tr[data-station=bench-2] .missing')).toBe('1');
    await shot(page, 'hub-stations');
    expect(e).toEqual([]);
  });

  it('Review: the pending borderline items of every bench with their thumbnails; the station filter filters', async () => {
    const { page, errors: e } = await open('/review');
    const pending = w.inspections.filter((i) => i.reviewStatus === 'pending');
    const shown = await page.$$eval('.review-card', (els) =>
      els.map((el) => `${el.getAttribute('data-station')}/${el.getAttribute('data-id')}`),
    );
    expect(shown.sort()).toEqual(pending.map((i) => `${i.station}/${i.id}`).sort());
    const card = pending.find((i) => i.station === 'bench-3')!;
    const sel = `.review-card[data-station=bench-3][data-id="${card.id}"]`;
    expect(await page.textContent(`${sel} .maker`)).toBe(card.makerId);
    expect(await page.textContent(`${sel} .score`)).toBe(card.score!.toPrecision(3));
    expect(await page.textContent(`${sel} .band`)).toContain('review > 14.0');
    // The thumbnails come from PostgreSQL and decode as images.
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.review-card img')].every((i) => i.complete),
    );
    const widths = await page.$$eval('.review-card img', (imgs) =>
      imgs.map((i) => (i as HTMLImageElement).naturalWidth),
    );
    expect(widths.length).toBe(pending.length * 2);
    expect(widths.every((x) => x === 48)).toBe(true);
    await shot(page, 'hub-review');

    await filterTo(page, 'bench-1');
    expect(await attrs(page, '.review-card', 'data-station')).toEqual(
      pending.filter((i) => i.station === 'bench-1').map(() => 'bench-1'),
    );
    expect(page.url()).toContain('station=bench-1');
    await filterTo(page, '');
    expect(await page.$$eval('.review-card', (els) => els.length)).toBe(pending.length);
    expect(e).toEqual([]);
  });

  it('Makers: each maker at each bench; the station filter filters', async () => {
    const { page, errors: e } = await open('/makers');
    const rows = await page.$$eval('[data-product=mug] tbody tr', (trs) =>
      trs.map((tr) => `${tr.getAttribute('data-maker')}@${tr.getAttribute('data-station')}`),
    );
    expect(rows).toEqual(['ana@bench-1', 'ben@bench-2', 'cleo@bench-3', 'none@bench-1']);
    const anaMugs = w.inspections.filter((i) => i.makerId === 'ana' && i.productId === 'mug').length;
    expect(await page.textContent('[data-product=mug] tr[data-maker=ana] .count')).toBe(String(anaMugs));
    await shot(page, 'hub-makers');

    await filterTo(page, 'bench-3');
    const filtered = await attrs(page, 'tbody tr', 'data-station');
    expect(filtered.length).toBeGreaterThan(0);
    expect(new Set(filtered)).toEqual(new Set(['bench-3']));
    expect(await attrs(page, '.product-block', 'data-product')).toEqual(['bowl', 'mug']);
    expect(e).toEqual([]);
  });

  it('Benches: the drifted bench is flagged, with the rule spelled out', async () => {
    const { page, errors: e } = await open('/benches');
    const flagged = await attrs(page, '[data-product=mug] tr.flagged', 'data-station');
    expect(flagged).toEqual(['bench-3']);
    expect(await page.textContent('[data-product=mug] h2')).toContain('1 bench departing');
    expect(await page.$$eval('[data-product=mug] .bench-grid svg', (s) => s.length)).toBe(3);
    expect(await page.textContent('#bench-rule')).toContain('interquartile range');
    await shot(page, 'hub-benches');
    expect(e).toEqual([]);
  });

  it('Reference sets: versions per bench, the active one on each; the station filter filters', async () => {
    const { page, errors: e } = await open('/reference-sets');
    expect(await page.$('#reference-set-publish')).not.toBeNull();
    const chips = await page.$$eval('[data-product=mug] .chips .chip', (els) => els.map((x) => x.textContent));
    expect(chips).toEqual(['bench-1: v2', 'bench-2: v1', 'bench-3: none active']);
    expect(await attrs(page, '[data-product=mug] tr.active', 'data-station')).toEqual(['bench-1', 'bench-2']);
    expect(await attrs(page, '[data-product=mug] tr.active', 'data-version')).toEqual(['2', '1']);
    await shot(page, 'hub-reference-sets');

    await filterTo(page, 'bench-1');
    expect(await attrs(page, '.product-block', 'data-product')).toEqual(['mug']);
    expect(new Set(await attrs(page, 'tbody tr', 'data-station'))).toEqual(new Set(['bench-1']));
    expect(e).toEqual([]);
  });

  it('raised no browser errors while signing in', () => {
    expect(errors).toEqual([]);
  });
});
