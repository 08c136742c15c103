// Reference sets in real Chromium: a lead starts a recalibration (the real calibration code and
// the real ONNX backbone), watches its progress, activates the new version, and rolls back.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrateProduct } from '../../station/calibrate/run.ts';
import { activateVersion } from '../../station/referenceSets/versions.ts';
import { calibrationEngines, type CalibrationEngines } from '../../station/calibrate/visionEngine.ts';
import { enginePool, type EnginePool } from '../../station/engines/pool.ts';
import type { EngineFactory } from '../../station/calibrate/engine.ts';
import type { ProductTuner } from '../../station/calibrate/tune/productTuner.ts';
import type { CalibrationOutcome, CalibrationProgress } from '../../station/server/types.ts';
import type { Store } from '../../station/store/index.ts';
import { addInspection, Client, FakeStation, PASSWORD, seed, startHarness, type Harness } from '../server/harness.ts';
import { buildDashboard, launch, loginThroughPage, shot, watchErrors } from './browser.ts';
import { tileImages } from './fixtures.ts';

const MODEL = path.resolve('models/generated/mobilenet_v2-features.json');

/** The bench hardware is a double; calibration and activation are the real ones. */
class CalibratingStation extends FakeStation {
  constructor(
    private readonly ctx: { store: Store; calibrationDir: string },
    private readonly engineFor: EngineFactory,
    private readonly tune: ProductTuner,
  ) {
    super();
  }
  override async startCalibration(
    productId: string,
    onProgress: (p: CalibrationProgress) => void,
  ): Promise<CalibrationOutcome> {
    const r = await calibrateProduct({
      productId,
      calibrationDir: this.ctx.calibrationDir,
      store: this.ctx.store,
      engineFor: this.engineFor,
      tune: this.tune,
      activate: false,
      bootstrap: 200,
      onProgress: (phase, done, total) => onProgress({ phase, done, total }),
    });
    return {
      version: r.version,
      imageCount: r.report.images.good.used,
      band: { reviewAt: r.report.band.reviewAt, failAt: r.report.band.failAt },
      warnings: r.report.warnings,
    };
  }
  override activateReferenceSet(productId: string, version: number): void {
    activateVersion(this.ctx.store, productId, version);
  }
}

let h: Harness<CalibratingStation>;
let browser: Browser;
let dashboardDir: string;
let pool: EnginePool;
let engines: CalibrationEngines;

beforeAll(async () => {
  dashboardDir = buildDashboard();
  pool = await enginePool(MODEL);
  engines = calibrationEngines(pool);
  h = await startHarness({
    dashboardDir,
    station: (ctx) => new CalibratingStation(ctx, engines.engineFor, engines.tune),
  });
  await seed(h);
  h.store.products.upsert({ id: 'coaster', name: 'Glazed coaster' });
  const dir = path.join(h.calibrationDir, 'coaster');
  mkdirSync(path.join(dir, 'good'), { recursive: true });
  // A small bank keeps the test quick on two cores; the flow is the same as with the default. Self-tuning
  // chooses only the pooling here (backbone, input and augmentation pinned), which keeps it quick too.
  writeFileSync(
    path.join(dir, 'product.json'),
    JSON.stringify({
      name: 'Glazed coaster',
      coresetSize: 300,
      minGoodImages: 10,
      engine: { backbone: 'mobilenet_v2-features', inputSize: 224, aspect: 'square', augment: 'none' },
    }),
  );
  for (let i = 0; i < 10; i++)
    writeFileSync(path.join(dir, 'good', `good-${i}.png`), (await tileImages(700 + i, null, 256)).png);
  const v1 = await h.station.startCalibration('coaster', () => {});
  h.station.activateReferenceSet('coaster', v1.version);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await pool?.close();
  if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
});

let accepted: { id: number };

describe('reference sets page (lead)', () => {
  it('recalibrates with live progress, activates the new version and rolls back', async () => {
    // A lead accepted one item as good variation since v1: it joins the next calibration.
    accepted = await addInspection(h, {
      score: 0.6,
      productId: 'coaster',
      frame: (await tileImages(790, null, 256)).frame,
    });
    const api = new Client(h.url);
    await api.login('lead1');
    expect((await api.post(`/api/inspections/${accepted.id}/review`, { action: 'accept_good' })).status).toBe(200);

    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await loginThroughPage(page, h.url, 'lead1', PASSWORD, '/reference-sets?product=coaster');
    await page.waitForSelector('tr[data-version="1"].active');
    expect(await page.textContent('#summary')).toContain('Active: v1');

    const progressTexts: string[] = [];
    await page.exposeFunction('recordProgress', (t: string) => progressTexts.push(t));
    await page.evaluate(() => {
      const el = document.getElementById('progress-text')!;
      new MutationObserver(() =>
        (window as unknown as { recordProgress(t: string): void }).recordProgress(el.textContent ?? ''),
      ).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#calibrate');
    await page.waitForSelector('#progress[data-status="progress"]');
    await page.waitForFunction(
      () => /held-out scoring: \d+ \/ 11/.test(document.getElementById('progress-text')?.textContent ?? ''),
      null,
      { timeout: 60_000 },
    );
    await shot(page, 'reference-sets-progress');
    await page.waitForSelector('#progress[data-status="done"]', { timeout: 90_000 });
    await page.waitForSelector('tr[data-version="2"]');
    expect(progressTexts.some((t) => /embed good: \d+ \/ 11/.test(t))).toBe(true);
    expect(await page.textContent('#progress-text')).toMatch(/Built v2 from 11 images/);
    // v2 is stored, not yet active; its row shows its tolerance band, warnings and the comparison with v1.
    expect(h.store.referenceSets.active('coaster')!.version).toBe(1);
    const v2row = page.locator('tr[data-version="2"]');
    expect(await v2row.textContent()).toMatch(/review > [\d.]+ \[[\d.]+–[\d.]+\]/);
    expect(await v2row.locator('.warnings li').count()).toBeGreaterThan(0);
    expect(await v2row.textContent()).toContain('vs v1: 1 new good images, too few to compare (10 needed)');
    // The configuration its calibration chose, and why.
    expect(await v2row.locator('td.config').textContent()).toMatch(
      /mobilenet_v2 224 square (max|top 10%)self-tuned over 2 candidates: (best separation|the default configuration)/,
    );
    await shot(page, 'reference-sets');

    await v2row.locator('button.activate').click();
    await page.waitForSelector('tr[data-version="2"].active');
    expect(h.store.referenceSets.active('coaster')!.version).toBe(2);
    expect(await page.textContent('tr[data-version="1"] button.activate')).toBe('Roll back to this');
    await page.click('tr[data-version="1"] button.activate');
    await page.waitForSelector('tr[data-version="1"].active');
    expect(h.store.referenceSets.active('coaster')!.version).toBe(1);
    // Activation refreshes the list twice (the POST's answer and the socket event): one table must remain.
    await page.waitForTimeout(500);
    expect(await page.locator('table.versions').count()).toBe(1);
    expect(await page.locator('tr[data-version]').count()).toBe(2);
    await shot(page, 'reference-sets-rolled-back');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a version that learned an image later confirmed defective says so, and the image leaves good/', async () => {
    const copy = path.join(h.calibrationDir, 'coaster', 'good', `inspection-${accepted.id}.jpg`);
    expect(existsSync(copy)).toBe(true);
    const api = new Client(h.url);
    await api.login('lead1');
    expect(
      (
        await api.post(`/api/inspections/${accepted.id}/review`, {
          action: 'confirm_defect',
          seenStatus: 'accepted_good',
        })
      ).status,
    ).toBe(200);
    expect(existsSync(copy)).toBe(false);

    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await loginThroughPage(page, h.url, 'lead1', PASSWORD, '/reference-sets?product=coaster');
    await page.waitForSelector('tr[data-version="2"] li.defective');
    expect(await page.textContent('tr[data-version="2"] li.defective')).toBe(
      `✕ learned good/inspection-${accepted.id}.jpg as good, but it was later confirmed defective by lead1: recalibrate`,
    );
    expect(await page.locator('tr[data-version="1"] li.defective').count()).toBe(0);
    await shot(page, 'reference-sets-confirmed-defective');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
