// The live page in real Chromium against the whole station on a replay source: no test double
// anywhere between the replayed frames and the browser. Each verdict the station records appears
// on the page, pushed over socket.io, with its frame, heatmap and the nearest good references.
import { rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedVerdict, makeBench, replayFinished, run, type Bench, type Running } from '../runtime/harness.ts';
import { buildDashboard, launch, shot, watchErrors } from './browser.ts';

let bench: Bench;
let dashboardDir: string;
let browser: Browser;
let r: Running | undefined;

beforeAll(async () => {
  bench = await makeBench(3); // good, good, defect
  dashboardDir = buildDashboard();
  browser = await launch();
});
afterAll(async () => {
  await r?.close();
  await browser?.close();
  rmSync(dashboardDir, { recursive: true, force: true });
  rmSync(bench.dataDir, { recursive: true, force: true });
});

describe('live page on a running station', () => {
  it('shows every verdict of a replay as the station records it', async () => {
    r = await run(bench, {}, { dashboardDir });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const errors = watchErrors(page);
    await page.goto(r.station.url);
    await page.waitForSelector('body[data-connected="true"]');
    await expect.poll(() => page.textContent('#product')).toBe('Demo glazed tile');

    const seen: string[] = [];
    for (const [i, file] of bench.items.entries()) {
      await r.live.waitFor('inspection', () => r!.live.of('inspection').length > i);
      const announced = r.live.of('inspection')[i];
      const id = announced.id as number;
      await page.waitForSelector(`#verdict[data-inspection-id="${id}"]`, { timeout: 60_000 });
      seen.push((await page.getAttribute('#verdict', 'data-verdict'))!);
      expect(announced.verdict).toBe(expectedVerdict(file));
      if (file.includes('-good')) continue;
      // The defective item: the frame and the nearest accepted references are real images the station serves.
      await expect
        .poll(() => page.evaluate(() => (document.querySelector('#frame') as HTMLImageElement).naturalWidth))
        .toBeGreaterThan(0);
      await expect
        .poll(() =>
          page.evaluate(() => {
            const imgs = [...document.querySelectorAll<HTMLImageElement>('#nearest img')];
            return imgs.length > 0 && imgs.every((im) => im.complete && im.naturalWidth > 0);
          }),
        )
        .toBe(true);
      await page.click('#toggle-heatmap');
      await expect
        .poll(() => page.evaluate(() => (document.querySelector('#heatmap') as HTMLImageElement).naturalWidth))
        .toBeGreaterThan(0);
      await shot(page, 'live-station-fail-heatmap');
    }
    expect(seen).toEqual(bench.items.map(expectedVerdict));
    await replayFinished(r);
    expect(errors).toEqual([]);
  });
});
