// The dashboard in real Chromium against a real server and SQLite store: the live page shows a
// verdict pushed over socket.io; a lead accepts a review item as good variation; the makers page
// draws its charts. Screenshots go to test-output/screenshots/.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEvidence } from '../../station/store/index.ts';
import { addInspection, PASSWORD, seed, startHarness, type Harness } from '../server/harness.ts';
import { buildDashboard, launch, loginThroughPage, shot, watchErrors } from './browser.ts';
import { tileImages } from './fixtures.ts';

let h: Harness;
let browser: Browser;
let dashboardDir: string;
const DAY = 86_400_000;
const nearest = [
  { fileName: 'good-000.png', distance: 11.2 },
  { fileName: 'good-001.png', distance: 11.9 },
  { fileName: 'good-002.png', distance: 12.4 },
];

beforeAll(async () => {
  dashboardDir = buildDashboard();
  h = await startHarness({ dashboardDir });
  await seed(h);
  // Bands on the scale of the real engine's scores, so charts look like the workshop's.
  h.store.db.prepare(`UPDATE reference_sets SET review_at = 16, fail_at = 18.5 WHERE product_id = 'tile'`).run();
  const good = path.join(h.calibrationDir, 'tile', 'good');
  mkdirSync(good, { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(path.join(good, `good-00${i}.png`), (await tileImages(200 + i)).png);
  h.station.frame = (await tileImages(300)).frame;
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
});

const record = async (
  score: number,
  seedN: number,
  defect: 'scratch' | 'spot' | 'chip' | 'crack' | null,
  extra: { makerId?: string; at?: number } = {},
) => {
  const img = await tileImages(seedN, defect);
  const verdict = score >= 18.5 ? 'fail' : score >= 16 ? 'review' : 'pass';
  const row = await addInspection(h, { score: 0, frame: img.frame, heatmap: img.heatmap, nearest, ...extra });
  // addInspection judges against 0.5/0.8; restate the row on the 16/18.5 band used here.
  h.store.db
    .prepare(
      'UPDATE inspections SET score = ?, verdict = ?, review_threshold = 16, fail_threshold = 18.5, review_status = ? WHERE id = ?',
    )
    .run(score, verdict, verdict === 'pass' ? 'none' : 'pending', row.id);
  return h.store.inspections.get(row.id)!;
};

async function newPage(ctx: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await ctx.newPage();
  return { page, errors: watchErrors(page) };
}

describe('live page (no login)', () => {
  it('shows a verdict pushed over socket.io, with heatmap toggle and references, without polling', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await newPage(ctx);
    await page.goto(`${h.url}/`);
    await page.waitForSelector('body[data-connected="true"]');
    await expect.poll(() => page.textContent('#product')).toBe('Glazed tile');

    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const row = await record(21.3, 401, 'scratch');
    h.server.announce.bench('inspecting');
    h.server.announce.inspection(row, { latencyMs: 95 });
    await page.waitForSelector(`#verdict[data-inspection-id="${row.id}"]`);
    expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('fail');
    expect((await page.textContent('#verdict'))!.toLowerCase()).toContain('fail');
    expect(await page.textContent('#verdict-detail')).toContain('21.3');
    await expect
      .poll(() => page.evaluate(() => (document.querySelector('#frame') as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    await expect.poll(() => page.locator('#nearest img').count()).toBe(3);
    await expect
      .poll(() =>
        page.evaluate(() =>
          [...document.querySelectorAll<HTMLImageElement>('#nearest img')].every(
            (i) => i.complete && i.naturalWidth > 0,
          ),
        ),
      )
      .toBe(true);
    h.server.announce.bench('waiting-empty');
    await expect.poll(() => page.textContent('#bench-state')).toContain('Take the item off');
    await expect
      .poll(() => page.textContent('[data-testid="today-total"]'))
      .toBe(String(h.store.inspections.count({ makerId: 'ana' })));
    await shot(page, 'live-fail');

    await page.click('#toggle-heatmap');
    expect(await page.isVisible('#heatmap')).toBe(true);
    await expect
      .poll(() => page.evaluate(() => (document.querySelector('#heatmap') as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    await shot(page, 'live-heatmap');
    await page.click('#toggle-heatmap');

    const pass = await record(12.1, 402, null);
    h.server.announce.inspection(pass);
    await page.waitForSelector(`#verdict[data-inspection-id="${pass.id}"][data-verdict="pass"]`);
    await page.waitForTimeout(300);
    await shot(page, 'live-pass');

    // Only event-driven loads happened: images, plus one camera frame for the one 'inspecting'
    // bench event. No API polling.
    const calls = requests.map((u) => new URL(u).pathname).filter((p) => p.startsWith('/api/'));
    expect(calls).toEqual(['/api/frame.jpg']);

    h.server.announce.camera('lost', 'no frames for 2 s');
    await page.waitForSelector('#camera-lost:not([hidden])');
    expect(await page.textContent('#camera')).toContain('Camera lost');
    await shot(page, 'live-camera-lost');
    h.server.announce.camera('up');
    await page.waitForSelector('#camera-lost', { state: 'hidden' });

    // Changing the maker is a state change: the bench signs in first (a viewer login suffices).
    await page.click('#change-button');
    await page.fill('#change #login-name', 'bench');
    await page.fill('#change #login-password', PASSWORD);
    await page.click('#change form.login-form button[type=submit]');
    await page.waitForSelector('#select-maker');
    await page.selectOption('#select-maker', 'ben');
    await shot(page, 'live-change');
    await page.click('#change button[type=submit]');
    await expect.poll(() => page.textContent('#maker')).toBe('Ben');
    // One change of product and maker, as the page sends it.
    expect(h.station.calls.at(-1)).toBe('select:{"productId":"tile","makerId":"ben"}');
    expect(await page.isVisible('#change')).toBe(false);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('live page at bench screen widths', () => {
  it.each([1024, 1366, 1920])(
    'at %i px: every verdict word fits its card, nothing scrolls sideways, and the card names its item',
    async (width) => {
      const ctx = await browser.newContext({ viewport: { width, height: 768 } });
      const { page, errors } = await newPage(ctx);
      await page.goto(`${h.url}/`);
      await page.waitForSelector('body[data-connected="true"]');
      // A maker of their own, so these items do not move the Makers page figures of the others.
      h.store.makers.upsert({ id: 'fay', name: 'Fay' });
      for (const [score, verdict] of [
        [17.0, 'review'],
        [12.0, 'pass'],
        [30.0, 'fail'],
      ] as const) {
        const row = await record(score, 600 + Math.round(score), null, { makerId: 'fay' });
        h.server.announce.inspection(row);
        await page.waitForSelector(`#verdict[data-inspection-id="${row.id}"][data-verdict="${verdict}"]`);
        const fit = await page.evaluate(() => {
          const card = document.querySelector('#verdict')!.getBoundingClientRect();
          const word = document.querySelector('#verdict .word')!;
          return {
            wordInside:
              word.getBoundingClientRect().right <= card.right + 0.5 &&
              (word as HTMLElement).scrollWidth <= (word as HTMLElement).clientWidth + 1,
            pageScrollsSideways: document.documentElement.scrollWidth > window.innerWidth,
          };
        });
        expect(fit, `${verdict} at ${width} px`).toEqual({ wordInside: true, pageScrollsSideways: false });
        expect(await page.textContent('#verdict .for-item')).toMatch(new RegExp(`^Item #${row.id} · `));
      }
      if (width === 1366) await shot(page, 'live-1366');
      // The next item arrives: the card says its verdict is the previous item's.
      const shown = await page.getAttribute('#verdict', 'data-inspection-id');
      h.server.announce.bench('steady');
      await expect
        .poll(() => page.textContent('#verdict .for-item'))
        .toMatch(new RegExp(`^Previous item #${shown} · `));
      expect(errors).toEqual([]);
      await ctx.close();
    },
  );
});

describe('review page (lead)', () => {
  it('answers 401 with the login page when not signed in', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page } = await newPage(ctx);
    const res = await page.goto(`${h.url}/review`);
    expect(res!.status()).toBe(401);
    await page.waitForSelector('form.login-form');
    await shot(page, 'login');
    await ctx.close();
  });

  it('lets a lead accept an item as good variation: the image lands in calibration/ and the database', async () => {
    const items = [
      await record(17.2, 501, 'spot', { makerId: 'ben' }),
      await record(19.4, 502, 'crack'),
      await record(16.6, 503, null, { makerId: 'ben' }),
    ];
    const target = items[2];
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const { page, errors } = await newPage(ctx);
    await loginThroughPage(page, h.url, 'lead1', PASSWORD, '/review');
    await page.waitForSelector(`.queue-item[data-id="${target.id}"]`);
    await page.click(`.queue-item[data-id="${target.id}"]`);
    await page.waitForSelector('#detail-frame');
    await expect
      .poll(() => page.evaluate(() => (document.querySelector('#detail-frame') as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    await page.waitForTimeout(300);
    await shot(page, 'review');

    await page.fill('#note', 'glaze pooling, within our range');
    await page.click('#accept-good');
    await page.waitForSelector(`.queue-item[data-id="${target.id}"]`, { state: 'detached' });
    // The pane moved on with the queue: it shows the next item, with live buttons for that one.
    await page.waitForFunction(
      (id) => document.querySelector('#detail h2')?.textContent?.includes(`Item #${id}`),
      items[1].id,
    );
    expect(await page.isEnabled('#accept-good')).toBe(true);

    const copied = path.join(h.calibrationDir, 'tile', 'good', `inspection-${target.id}.jpg`);
    expect(existsSync(copied)).toBe(true);
    expect(readFileSync(copied).equals(readFileSync(resolveEvidence(h.dataDir, target.framePath!)))).toBe(true);
    const provenance = h.store.calibrationImages.list('tile').filter((c) => c.inspectionId === target.id);
    expect(provenance).toMatchObject([{ source: 'review', filePath: copied }]);
    expect(h.store.reviews.forInspection(target.id)).toMatchObject([
      { action: 'accept_good', userName: 'lead1', note: 'glaze pooling, within our range' },
    ]);
    expect(h.store.inspections.get(target.id)!.reviewStatus).toBe('accepted_good');

    // Filter by maker: only Ben's remaining item.
    await page.selectOption('#f-maker', 'ben');
    await expect.poll(() => page.locator('.queue-item').count()).toBe(1);
    expect(await page.getAttribute('.queue-item', 'data-id')).toBe(String(items[0].id));
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a decision on an item another lead decided meanwhile is refused: nothing is copied and the pane shows it as decided', async () => {
    const item = await record(17.8, 504, 'chip');
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const { page, errors } = await newPage(ctx);
    await loginThroughPage(page, h.url, 'lead1', PASSWORD, '/review');
    await page.click(`.queue-item[data-id="${item.id}"]`);
    await page.waitForFunction(
      (id) => document.querySelector('#detail h2')?.textContent?.includes(`Item #${id}`),
      item.id,
    );
    h.store.reviews.add({ inspectionId: item.id, action: 'confirm_defect', userName: 'lead2' });

    await page.click('#accept-good');
    await page.waitForSelector('#notice.error');
    expect(await page.textContent('#notice')).toMatch(new RegExp(`inspection ${item.id} changed since it was shown`));
    await page.waitForFunction(
      () => document.querySelector('#detail .actions p')?.textContent === 'Decided: defect confirmed.',
    );
    expect(await page.isDisabled('#accept-good')).toBe(true);
    expect(await page.isDisabled('#confirm-defect')).toBe(true);
    expect(existsSync(path.join(h.calibrationDir, 'tile', 'good', `inspection-${item.id}.jpg`))).toBe(false);
    expect(h.store.reviews.forInspection(item.id).map((r) => r.userName)).toEqual(['lead2']);
    // The error notice is expected; nothing else went wrong on the page.
    expect(errors.filter((e) => !/409/.test(e))).toEqual([]);
    await ctx.close();
  });
});

describe('makers page (lead)', () => {
  it('draws rate bars, histograms and control charts for seeded data, and flags the drifting maker', async () => {
    h.store.makers.upsert({ id: 'cara', name: 'Cara' });
    const now = Date.now();
    let k = 0;
    const wobble = () => Math.sin(k * 1.7) * 0.9 + Math.cos(k * 0.37) * 0.6;
    const put = (makerId: string, n: number, base: number, from: number, to: number) => {
      for (let i = 0; i < n; i++, k++) {
        const score = base + wobble();
        const verdict = score >= 18.5 ? 'fail' : score >= 16 ? 'review' : 'pass';
        h.store.inspections.record({
          inspectedAt: Math.round(from + ((to - from) * i) / n),
          productId: 'tile',
          makerId,
          score,
          verdict,
          band: { reviewAt: 16, failAt: 18.5 },
        });
      }
    };
    put('ana', 90, 13.2, now - 28 * DAY, now - DAY / 2);
    put('ben', 60, 13.4, now - 27 * DAY, now - 8 * DAY);
    put('ben', 25, 16.2, now - 8 * DAY, now - DAY / 3);
    put('cara', 35, 14.0, now - 20 * DAY, now - DAY);
    // Dan: steady scores, but 21 of 50 items in review against the product's 10 % target. Eve: steady and calm.
    for (const [maker, name] of [
      ['dan', 'Dan'],
      ['eve', 'Eve'],
    ])
      h.store.makers.upsert({ id: maker, name });
    for (let i = 0; i < 50; i++) {
      const review = i % 50 < 21;
      h.store.inspections.record({
        inspectedAt: now - 20 * DAY + i * 3_600_000,
        productId: 'tile',
        makerId: 'dan',
        score: review ? 16.5 : 14,
        verdict: review ? 'review' : 'pass',
        band: { reviewAt: 16, failAt: 18.5 },
      });
    }
    put('eve', 40, 12.8, now - 20 * DAY, now - DAY);
    // One far outlier for Cara only: her chart must still share the product's score axis with the others.
    h.store.inspections.record({
      inspectedAt: now - 19 * DAY,
      productId: 'tile',
      makerId: 'cara',
      score: 30,
      verdict: 'fail',
      band: { reviewAt: 16, failAt: 18.5 },
    });

    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const { page, errors } = await newPage(ctx);
    await loginThroughPage(page, h.url, 'lead1', PASSWORD, '/makers');
    await page.selectOption('#m-product', 'tile');
    await page.waitForSelector('body[data-loaded="true"]');
    await page.waitForSelector('article.maker[data-maker="cara"]');

    for (const maker of ['ana', 'ben', 'cara']) {
      const card = page.locator(`article.maker[data-maker="${maker}"]`);
      expect(await card.locator('svg circle.pt').count(), maker).toBeGreaterThan(20);
      expect(await card.locator('svg rect.bar').count(), maker).toBeGreaterThan(2);
      expect(await card.locator('svg line.b-fail').count(), maker).toBeGreaterThan(0);
      expect(await card.locator('svg polyline.mean-line').count(), maker).toBe(1);
    }
    expect(await page.locator('.product-block .card svg rect.z-pass-strong').count()).toBeGreaterThanOrEqual(3);
    // Control charts (horizontal band lines) of all makers sit on one score axis, so they compare at a glance.
    const reviewLineY = (maker: string) =>
      page.$$eval(`article.maker[data-maker="${maker}"] svg line.b-review`, (ls) =>
        ls.filter((l) => l.getAttribute('y1') === l.getAttribute('y2')).map((l) => l.getAttribute('y1')),
      );
    const ys = await Promise.all(['ana', 'ben', 'cara'].map(reviewLineY));
    expect(ys[0]).toHaveLength(1);
    expect(ys[1]).toEqual(ys[0]);
    expect(ys[2]).toEqual(ys[0]);
    expect(await page.textContent('article.maker[data-maker="ben"] .badge')).toContain('Drift');
    expect(await page.textContent('article.maker[data-maker="ana"] .badge')).not.toContain('Drift');
    // Rates are held against the product's targets: "Steady" is not shown for a maker far above them.
    await page.waitForSelector('article.maker[data-maker="dan"]');
    expect(await page.textContent('article.maker[data-maker="dan"] .badge')).toBe(
      '⚑ Above target: review 42% (target 10%)',
    );
    expect(await page.textContent('article.maker[data-maker="eve"] .badge')).toBe('Steady');
    expect(await page.textContent('#drift-rule')).toContain('N = 20');
    await shot(page, 'makers');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
