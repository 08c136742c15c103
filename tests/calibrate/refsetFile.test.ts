/**
 * A reference set is one file: format 2 carries its tolerance band and score model, the active product judges by
 * the file (format 1 by its row), and a file calibrated on one bench is imported into another station and judges
 * there exactly as at home. Real SQLite, real files, real encode/decode; the real backbone for calibration.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BACKBONE, generatedManifestPath } from '../../models/load.ts';
import { runCalibrateCli } from '../../station/calibrate/cli.ts';
import { importReferenceSet } from '../../station/referenceSets/importSet.ts';
import { calibrateProduct } from '../../station/calibrate/run.ts';
import { refsetFile, refsetRelPath } from '../../station/referenceSets/versions.ts';
import { calibrationEngines, type CalibrationEngines } from '../../station/calibrate/visionEngine.ts';
import { enginePool, type EnginePool } from '../../station/engines/pool.ts';
import { inspectorForSet, scoredItem } from '../../station/engines/setInspection.ts';
import { decodeImage } from '../../station/vision/preprocess.ts';
import { writeSampleProduct } from '../../station/demo/generate.ts';
import { loadActiveProduct, type ActiveProduct } from '../../station/runtime/activeProduct.ts';
import { openStore, type Store } from '../../station/store/index.ts';
import { estimateBands } from '../../station/verdict/bands.ts';
import { judgeInspection } from '../../station/verdict/scoreModel.ts';
import { decodeReferenceSet, encodeReferenceSet } from '../../station/vision/referenceSet.ts';

const root = mkdtempSync(path.join(tmpdir(), 'refset-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Scoring is not what these tests look at: the engine is never called. */
const noEngine = () => async () => {
  throw new Error('no engine in this test');
};

/** A station: its data folder (real SQLite) and a calibration folder holding the product's product.json. */
function station(name: string): { store: Store; cal: string } {
  const cal = path.join(root, name, 'calibration');
  mkdirSync(path.join(cal, 'tile'), { recursive: true });
  writeFileSync(path.join(cal, 'tile', 'product.json'), JSON.stringify({ name: 'Glazed tile' }));
  return { store: openStore(path.join(root, name, 'data')), cal };
}

/** Stores these bytes as the product's next version with this row, and activates it. */
function storeVersion(
  store: Store,
  bytes: Uint8Array,
  band: { reviewAt: number; failAt: number; scoreModel?: object },
) {
  store.products.upsert({ id: 'tile', name: 'Glazed tile' });
  const version = store.referenceSets.nextVersion('tile');
  const rel = refsetRelPath('tile', version);
  mkdirSync(path.dirname(refsetFile(store.dataDir, rel)), { recursive: true });
  writeFileSync(refsetFile(store.dataDir, rel), bytes);
  const format = decodeReferenceSet(bytes).formatVersion;
  store.referenceSets.addVersion({
    productId: 'tile',
    version,
    filePath: rel,
    modelSha256: 'ab'.repeat(32),
    imageCount: 3,
    format,
    band,
  });
  store.referenceSets.activate('tile', version);
}

describe('which band the active product judges by', () => {
  const format1 = readFileSync(path.join(import.meta.dirname, '..', 'vision', 'fixtures', 'format1.refset'));
  // A pooled item: its top quarter of patch scores averages 0.6, its single worst patch is 0.9.
  const item = { score: 0.9, patchScores: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.9, 0.3]) };

  it('a format-1 file judges with the band and score model of its row', () => {
    const { store, cal } = station('format1');
    try {
      storeVersion(store, format1, { reviewAt: 0.5, failAt: 0.7, scoreModel: { kind: 'top', topShare: 0.25 } });
      const active = loadActiveProduct(store, cal, 'tile', noEngine);
      expect(active.referenceSet.formatVersion).toBe(1);
      expect(active.band).toEqual({ reviewAt: 0.5, failAt: 0.7, scoreModel: { kind: 'top', topShare: 0.25 } });
      // top 25% of 8 cells = 2 cells (0.9, 0.6): 0.75 → fail; judged by its raw worst patch it would be the same,
      // so check the pooled score itself.
      const judged = judgeInspection(item, active.band);
      expect(judged.verdict).toBe('fail');
      expect(judged.score).toBeCloseTo(0.75, 6);
      // A row whose score model is not one is named, not judged by a guess.
      store.db.prepare(`UPDATE reference_sets SET thresholds_json = '{"scoreModel":{"kind":"median"}}'`).run();
      expect(() => loadActiveProduct(store, cal, 'tile', noEngine)).toThrow(/scoreModel → kind: must be/);
    } finally {
      store.close();
    }
  });

  it('a format-2 file judges by its own band and score model, whatever its row says', () => {
    const { store, cal } = station('format2');
    try {
      const set = decodeReferenceSet(format1);
      const band = estimateBands([0.2, 0.25, 0.3, 0.22, 0.28, 0.35, 0.27, 0.24], { bootstrap: 20, seed: 1 });
      const judging = { productId: 'tile', band, scoreModel: { kind: 'raw' as const } };
      // The row's summary is off (edited by hand, say): the file is the truth.
      storeVersion(store, encodeReferenceSet({ ...set, judging }), { reviewAt: 5, failAt: 6 });
      const active = loadActiveProduct(store, cal, 'tile', noEngine);
      expect(active.band).toEqual({ reviewAt: band.reviewAt, failAt: band.failAt, scoreModel: { kind: 'raw' } });
      expect(judgeInspection(item, active.band)).toEqual({ verdict: 'fail', score: 0.9 });
      // Another product's file, and a format-2 row whose file lost its band, are refused.
      storeVersion(store, encodeReferenceSet({ ...set, judging: { ...judging, productId: 'mug' } }), {
        reviewAt: 5,
        failAt: 6,
      });
      expect(() => loadActiveProduct(store, cal, 'tile', noEngine)).toThrow(
        /the file is a reference set of product 'mug', not 'tile'/,
      );
      storeVersion(store, encodeReferenceSet(set), { reviewAt: 5, failAt: 6 });
      store.db.prepare('UPDATE reference_sets SET format = 2 WHERE version = 3').run();
      expect(() => loadActiveProduct(store, cal, 'tile', noEngine)).toThrow(/the file carries no tolerance band/);
    } finally {
      store.close();
    }
  });
});

describe('calibrate on one bench, import on another (real backbone)', () => {
  const home = path.join(root, 'home');
  const cal = path.join(home, 'calibration');
  let pool: EnginePool;
  let engines: CalibrationEngines;

  beforeAll(async () => {
    await writeSampleProduct(path.join(cal, 'tile'), {
      kind: 'glazed-tile',
      goodCount: 10,
      defectCount: 2,
      seed: 7,
      size: 160,
    });
    writeFileSync(path.join(cal, 'tile', 'product.json'), JSON.stringify({ name: 'Glazed tile', coresetSize: 600 }));
    pool = await enginePool(generatedManifestPath(DEFAULT_BACKBONE), { threads: 1 });
    engines = calibrationEngines(pool);
  }, 240_000);
  afterAll(async () => {
    await pool?.close();
  });

  async function verdictOf(active: ActiveProduct, image: string) {
    const r = await active.inspect(await decodeImage(readFileSync(image), image));
    return judgeInspection(scoredItem(r), active.band);
  }

  it('the calibrated file carries the band its row summarises, and judges the same item the same way elsewhere', async () => {
    const homeStore = openStore(path.join(home, 'data'));
    const away = station('away');
    try {
      const r = await calibrateProduct({
        productId: 'tile',
        calibrationDir: cal,
        store: homeStore,
        engineFor: engines.engineFor,
        bootstrap: 100,
      });
      const set = decodeReferenceSet(readFileSync(r.refsetFile), { source: r.refsetFile });
      expect(set.formatVersion).toBe(2);
      expect(set.judging!.productId).toBe('tile');
      expect(set.judging!.band).toEqual(r.report.band);
      // The set keeps the map smoothing it was calibrated with, even where its size would now give another.
      expect(set.settings.sigma).toBe(4);
      expect(pool.engineForSet({ ...set, settings: { ...set.settings, size: 448 } }).settings.sigma).toBe(4);
      const row = homeStore.referenceSets.active('tile')!;
      expect(row).toMatchObject({ format: 2, scoreKind: set.judging!.scoreModel.kind, backboneId: set.model.id });
      expect([row.band.reviewAt, row.band.failAt]).toEqual([set.judging!.band.reviewAt, set.judging!.band.failAt]);

      // The file is carried to another bench, whose station has never seen the product's images.
      const carried = path.join(root, 'usb-stick', 'tile.refset');
      mkdirSync(path.dirname(carried), { recursive: true });
      copyFileSync(r.refsetFile, carried);
      const out = new PassThrough();
      let printed = '';
      out.on('data', (b) => (printed += b));
      const err = new PassThrough();
      let errors = '';
      err.on('data', (b) => (errors += b));
      const code = await runCalibrateCli(
        ['--import', carried, '--product', 'tile', '--data', away.store.dataDir, '--calibration', away.cal],
        { stdout: out, stderr: err, env: {} },
        { engineFor: engines.engineFor },
      );
      expect(code, errors).toBe(0);
      expect(printed).toMatch(/tile: .*tile\.refset stored as reference set v1 .* and activated/);
      const imported = away.store.referenceSets.active('tile')!;
      expect(imported).toMatchObject({ version: 1, format: 2, scoreKind: row.scoreKind, imageCount: row.imageCount });
      expect(imported.band).toEqual(row.band);
      expect(readFileSync(refsetFile(away.store.dataDir, imported.filePath)).equals(readFileSync(r.refsetFile))).toBe(
        true,
      );

      const atHome = loadActiveProduct(homeStore, cal, 'tile', (s) => inspectorForSet(pool, s));
      const elsewhere = loadActiveProduct(away.store, away.cal, 'tile', (s) => inspectorForSet(pool, s));
      expect(elsewhere.band).toEqual(atHome.band);
      const reject = readdirSync(path.join(cal, 'tile', 'reject')).sort()[0];
      for (const image of [path.join(cal, 'tile', 'reject', reject), path.join(cal, 'tile', 'good', 'good-003.png')]) {
        const here = await verdictOf(atHome, image);
        const there = await verdictOf(elsewhere, image);
        expect(there).toEqual(here);
        expect(here.verdict).not.toBe('unjudged');
      }
    } finally {
      homeStore.close();
      away.store.close();
    }
  }, 240_000);

  it('import refuses a file of another product, a format-1 file and a file whose band was changed', async () => {
    const { store, cal: awayCal } = station('refused');
    try {
      const homeStore = openStore(path.join(home, 'data'));
      const file = refsetFile(homeStore.dataDir, homeStore.referenceSets.active('tile')!.filePath);
      homeStore.close();
      const imp = (f: string, productId = 'tile') =>
        importReferenceSet({ store, productId, file: f, calibrationDir: awayCal });
      await expect(imp(file, 'mug')).rejects.toThrow(/this is a reference set of product 'tile', not 'mug'/);
      const format1 = path.join(import.meta.dirname, '..', 'vision', 'fixtures', 'format1.refset');
      await expect(imp(format1)).rejects.toThrow(/carries no tolerance band, so it cannot judge on its own/);
      // A looser fail threshold written into the header, same length, blocks untouched.
      const bytes = readFileSync(file);
      const text = bytes.toString('latin1');
      const at = /"failAt":\d/.exec(text)!.index + '"failAt":'.length;
      bytes[at] = bytes[at] === 0x39 ? 0x38 : bytes[at] + 1;
      const tampered = path.join(root, 'tampered.refset');
      writeFileSync(tampered, bytes);
      await expect(imp(tampered)).rejects.toThrow(/checksum mismatch/);
      expect(store.referenceSets.list('tile')).toEqual([]);
    } finally {
      store.close();
    }
  });
});
