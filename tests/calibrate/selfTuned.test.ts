/**
 * A product's calibration choosing its own configuration, with the real backbone pool, real files and SQLite:
 * the choice and its candidate table travel in the report and inside the reference-set file, and the station
 * then inspects with exactly that configuration.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BACKBONE, generatedManifestPath } from '../../models/load.ts';
import { calibrateProduct } from '../../station/calibrate/run.ts';
import { calibrationEngines, type CalibrationEngines } from '../../station/calibrate/visionEngine.ts';
import { enginePool, type EnginePool } from '../../station/engines/pool.ts';
import { inspectorForSet } from '../../station/engines/setInspection.ts';
import { decodeImage } from '../../station/vision/preprocess.ts';
import { encodePng, renderItem, writeSampleProduct } from '../../station/demo/generate.ts';
import { loadActiveProduct } from '../../station/runtime/activeProduct.ts';
import { openStore, type Store } from '../../station/store/index.ts';
import { decodeReferenceSet } from '../../station/vision/referenceSet.ts';
import type { TuningSummary } from '../../station/calibrate/tune/productTuner.ts';

const root = mkdtempSync(path.join(tmpdir(), 'self-tuned-'));
const cal = path.join(root, 'calibration');
let pool: EnginePool;
let engines: CalibrationEngines;

const product = (id: string, json: Record<string, unknown>) =>
  writeFileSync(path.join(cal, id, 'product.json'), JSON.stringify({ name: id, coresetSize: 1500, ...json }));

beforeAll(async () => {
  // 'searched' is photographed large enough for a 448 input; the others at 224 px, where 448 would only magnify.
  for (const id of ['searched', 'pinned', 'slow', 'small-photos']) {
    await writeSampleProduct(path.join(cal, id), {
      kind: 'leather-patch',
      goodCount: 10,
      defectCount: 2,
      seed: 3,
      size: id === 'searched' ? 480 : 224,
    });
  }
  // Only the input size and pooling are searched here (MobileNetV2 pinned, no augmentation although these
  // products are few-shot), which keeps the test quick.
  const pin = { backbone: DEFAULT_BACKBONE, aspect: 'square', augment: 'none' };
  product('searched', { engine: pin, latencyBudgetMs: 10_000 });
  product('pinned', { engine: { ...pin, inputSize: 224 }, scoreTopShare: 0.1 });
  product('slow', { engine: pin, latencyBudgetMs: 5 });
  product('small-photos', { engine: pin, scoreTopShare: 0.1 });
  pool = await enginePool(generatedManifestPath(DEFAULT_BACKBONE), { threads: 1 });
  engines = calibrationEngines(pool);
}, 120_000);
afterAll(async () => {
  await pool?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh store of its own for each test, closed whatever happens. */
async function inStore(name: string, run: (store: Store) => Promise<void>): Promise<void> {
  const store = openStore(path.join(root, name));
  try {
    await run(store);
  } finally {
    store.close();
  }
}

describe('self-tuned calibration', () => {
  it("tries every unpinned combination on the product's own images and stores the winner in the reference set", async () => {
    await inStore('data-searched', async (store) => {
      const r = await calibrateProduct({
        productId: 'searched',
        calibrationDir: cal,
        store,
        engineFor: engines.engineFor,
        tune: engines.tune,
        bootstrap: 100,
      });
      const t = r.report.tuning!;
      expect(t.candidates.map((c) => c.label).sort()).toEqual([
        'mobilenet_v2 224 square max',
        'mobilenet_v2 224 square top 10%',
        'mobilenet_v2 448 square max',
        'mobilenet_v2 448 square top 10%',
      ]);
      // The winner is the best separation, or the default when nothing leads it by the rule's 0.03.
      // (A 10 s budget: every candidate is searched.)
      const separations = t.candidates.map((c) => c.separation ?? Number.NaN);
      expect(separations.every(Number.isFinite)).toBe(true);
      const best = Math.max(...separations);
      const chosenSeparation = t.candidates.find((c) => c.label === t.chosen)!.separation ?? Number.NaN;
      if (t.reason.startsWith('the default configuration')) {
        expect(t.chosen).toBe('mobilenet_v2 224 square max');
        expect(best - chosenSeparation).toBeLessThan(0.03);
      } else expect(chosenSeparation).toBeGreaterThan(best - 0.001);
      expect(t.searchImages).toBe(10);
      expect(t.syntheticDefects).toBeGreaterThanOrEqual(10);
      expect(r.text).toContain(`Configuration: ${t.chosen}`);
      expect(r.text).toMatch(/separation +synthetic +rejects/);
      // The file carries the configuration: its input size, and the summary of how it was chosen.
      const set = decodeReferenceSet(readFileSync(r.refsetFile));
      expect(set.settings.size).toBe(t.candidate.size);
      expect((set.tuning as TuningSummary).chosen).toBe(t.chosen);
      expect(r.report.settings.scoreTopShare).toBe(t.candidate.topShare);
      // The station inspects with that configuration: engine from the set, score pooled as chosen.
      const active = loadActiveProduct(store, cal, 'searched', (s) => inspectorForSet(pool, s));
      expect(active.referenceSet.settings.size).toBe(t.candidate.size);
      expect(active.band.scoreModel?.kind).toBe(t.candidate.topShare > 0 ? 'top' : 'raw');
      const item = await encodePng(renderItem({ kind: 'leather-patch', seed: 900, width: 224, height: 224 }));
      const inspected = await active.inspect(await decodeImage(item, 'probe'));
      expect(Number.isFinite(inspected.score)).toBe(true);
    });
  }, 600_000);

  it('a product that pins every setting is calibrated as written, with no search', async () => {
    await inStore('data-pinned', async (store) => {
      const r = await calibrateProduct({
        productId: 'pinned',
        calibrationDir: cal,
        store,
        engineFor: engines.engineFor,
        tune: engines.tune,
        bootstrap: 100,
      });
      expect(r.report.tuning).toMatchObject({
        chosen: 'mobilenet_v2 224 square top 10%',
        reason: 'every setting is pinned in product.json',
        candidates: [],
      });
      expect(r.report.band.scoreKind).toBe('top-share');
    });
  }, 300_000);

  it('photographs smaller than a larger input are not magnified to it: the report says so', async () => {
    await inStore('data-small-photos', async (store) => {
      const r = await calibrateProduct({
        productId: 'small-photos',
        calibrationDir: cal,
        store,
        engineFor: engines.engineFor,
        tune: engines.tune,
        bootstrap: 100,
      });
      expect(r.report.tuning).toMatchObject({
        chosen: 'mobilenet_v2 224 square top 10%',
        longSide: 224,
        sizesNotTried: [448],
      });
      expect(r.report.tuning!.reason).toMatch(/larger input would only magnify 224 px photographs/);
      expect(r.text).toMatch(/photographed 224 px long, so input 448 \(magnifying\) not tried/);
    });
  }, 300_000);

  it('a budget no candidate meets stops calibration naming the fastest one', async () => {
    await inStore('data-slow', async (store) => {
      await expect(
        calibrateProduct({
          productId: 'slow',
          calibrationDir: cal,
          store,
          engineFor: engines.engineFor,
          tune: engines.tune,
          bootstrap: 100,
        }),
      ).rejects.toThrow(
        /no configuration meets the latency budget of 5 ms; the fastest, mobilenet_v2 224 square (max|top 10%), takes \d+ ms: raise latencyBudgetMs/,
      );
      expect(store.referenceSets.active('slow')).toBeUndefined();
    });
  }, 300_000);
});
