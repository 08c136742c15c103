// The Live page as the bench screen shows it (/?kiosk=1, what the kiosk unit opens), in real Chromium against a
// real server and SQLite store, at a small bench screen (1024×600) and a full-HD one: the verdict is readable from
// 2 m (its computed font size has a floor), the heatmap shows on fail and review with no click, there is no header
// or button, nothing scrolls, and when the station restarts the page comes back by itself.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../station/server/index.ts';
import { addInspection, seed, silentLog, startHarness, type Harness } from '../server/harness.ts';
import { buildDashboard, launch, watchErrors } from './browser.ts';
import { tileImages } from './fixtures.ts';

/** Where the screenshots go, to be looked at by a person: the layout is judged by eye as well as by numbers. */
const SHOTS = path.resolve('tmp/kiosk');

let h: Harness;
let browser: Browser;
let dashboardDir: string;

beforeAll(async () => {
  dashboardDir = buildDashboard();
  h = await startHarness({ dashboardDir });
  await seed(h);
  h.station.frame = (await tileImages(300)).frame;
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
});

/** An inspection with a real-looking tile frame and heatmap (scores on the harness's 0.5/0.8 band). */
async function announce(score: number, seedN: number) {
  const img = await tileImages(seedN, score >= 0.5 ? 'scratch' : null, 480);
  const row = await addInspection(h, { score, frame: img.frame, heatmap: img.heatmap });
  h.server.announce.inspection(row, { latencyMs: 80 });
  return row;
}

/** What a person at 2 m sees of the page, measured in the browser. */
function layout(page: Page) {
  return page.evaluate(() => {
    const visible = (el: Element | null) => {
      if (!el) return false;
      const r = el.getBoundingClientRect();
      return getComputedStyle(el).display !== 'none' && !(el as HTMLElement).hidden && r.width > 0 && r.height > 0;
    };
    const word = document.querySelector('#verdict .word')!;
    const card = document.querySelector('#verdict')!.getBoundingClientRect();
    const heat = document.querySelector<HTMLImageElement>('#heatmap')!;
    const hr = heat.getBoundingClientRect();
    return {
      wordPx: Number.parseFloat(getComputedStyle(word).fontSize),
      wordFits:
        word.getBoundingClientRect().right <= card.right + 0.5 && word.getBoundingClientRect().left >= card.left,
      heatmapShown: visible(heat) && heat.complete && heat.naturalWidth > 0,
      heatmapOnScreen: hr.bottom <= innerHeight + 0.5 && hr.right <= innerWidth + 0.5 && hr.height > innerHeight / 3,
      header: visible(document.querySelector('#top')),
      buttons: [...document.querySelectorAll('button')].filter(visible).map((b) => b.textContent),
      scrolls: document.documentElement.scrollHeight > innerHeight || document.documentElement.scrollWidth > innerWidth,
    };
  });
}

describe('kiosk layout of the Live page', () => {
  for (const [width, height, minPx] of [
    [1024, 600, 64],
    [1920, 1080, 96],
  ] as const) {
    it(`at ${width}×${height}: verdict ≥ ${minPx} px, heatmap on fail and review without a click, no chrome`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height } });
      const page = await ctx.newPage();
      const errors = watchErrors(page);
      await page.goto(`${h.url}/?kiosk=1`);
      await page.waitForSelector('body.kiosk[data-connected="true"]');

      for (const [score, verdict, seedN] of [
        [0.65, 'review', 501],
        [0.93, 'fail', 502],
        [0.1, 'pass', 503],
      ] as const) {
        const row = await announce(score, seedN);
        await page.waitForSelector(`#verdict[data-inspection-id="${row.id}"][data-verdict="${verdict}"]`);
        if (verdict !== 'pass')
          await page.waitForFunction(() => (document.querySelector('#heatmap') as HTMLImageElement).naturalWidth > 0);
        const l = await layout(page);
        await page.screenshot({ path: path.join(SHOTS, `kiosk-${width}x${height}-${verdict}.png`) });
        expect(l.wordPx, `${verdict} word size`).toBeGreaterThanOrEqual(minPx);
        expect(l, verdict).toMatchObject({ wordFits: true, header: false, buttons: [], scrolls: false });
        // A pass needs no look: its heatmap stays hidden, so the rule above really depends on the verdict.
        expect(l.heatmapShown, `${verdict} heatmap`).toBe(verdict !== 'pass');
        if (verdict !== 'pass') expect(l.heatmapOnScreen).toBe(true);
      }
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }

  it('comes back by itself when the station restarts: reconnects, reloads once it answers, shows the last item', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 600 } });
    const page = await ctx.newPage();
    await page.goto(`${h.url}/?kiosk=1`);
    await page.waitForSelector('body.kiosk[data-connected="true"]');
    const row = await announce(0.9, 601);
    await page.waitForSelector(`#verdict[data-inspection-id="${row.id}"]`);
    await page.evaluate(() => {
      (window as unknown as { beforeRestart: boolean }).beforeRestart = true;
    });

    await h.server.close();
    await page.waitForSelector('body[data-connected="false"]');
    // The station again, on the same port and record (as systemd restarts it).
    h.server = createServer({
      store: h.store,
      dataDir: h.dataDir,
      calibrationDir: h.calibrationDir,
      station: h.station,
      log: silentLog,
      dashboardDir,
    });
    await h.server.listen(h.port, '127.0.0.1');

    await page.waitForFunction(() => !(window as unknown as { beforeRestart?: boolean }).beforeRestart, undefined, {
      timeout: 30_000,
    });
    await page.waitForSelector(
      `body.kiosk[data-connected="true"] #verdict[data-inspection-id="${row.id}"][data-verdict="fail"]`,
    );
    await ctx.close();
  });
});
