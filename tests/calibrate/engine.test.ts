/**
 * Calibration with the real engine (ONNX backbone, generated images, real SQLite, real files),
 * and a calibration child process killed midway.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BACKBONE, generatedManifestPath } from '../../models/load.ts';
import { PRODUCT_DEFAULTS } from '../../station/products/productConfig.ts';
import { calibrateProduct } from '../../station/calibrate/run.ts';
import { refsetFile } from '../../station/referenceSets/versions.ts';
import { calibrationEngines, type CalibrationEngines } from '../../station/calibrate/visionEngine.ts';
import { enginePool, type EnginePool } from '../../station/engines/pool.ts';
import { writeSampleProduct } from '../../station/demo/generate.ts';
import { openStore } from '../../station/store/index.ts';
import { nearestExamples } from '../../station/verdict/explain.ts';
import { judge } from '../../station/verdict/judge.ts';
import { createEngine } from '../../station/vision/engine.ts';
import type { decodeReferenceSet } from '../../station/vision/referenceSet.ts';
import { calibrateForEval } from '../../station/calibrate/evalVerdicts.ts';
import { scoredItem } from '../../station/engines/setInspection.ts';

const root = mkdtempSync(path.join(tmpdir(), 'calib-engine-'));
const cal = path.join(root, 'calibration');
const data = path.join(root, 'data');
const productDir = path.join(cal, 'tile');
const projectRoot = path.resolve(import.meta.dirname, '../..');
let pool: EnginePool;
let engines: CalibrationEngines;

// About a third of the patches of 9-12 sample images (625 cells each at 224).
const BANK = 2000;

beforeAll(async () => {
  await writeSampleProduct(productDir, { kind: 'glazed-tile', goodCount: 12, defectCount: 3, seed: 5, size: 224 });
  // Mixed sizes, formats and EXIF orientation in one set: the engine's preprocessing handles them.
  const g = (k: string) => path.join(productDir, 'good', `good-${k}.png`);
  writeFileSync(
    path.join(productDir, 'good', 'good-010.jpg'),
    await sharp(g('010')).resize(300, 200, { fit: 'fill' }).jpeg().toBuffer(),
  );
  writeFileSync(
    path.join(productDir, 'good', 'good-011.jpg'),
    await sharp(g('011')).rotate(90).jpeg().withMetadata({ orientation: 8 }).toBuffer(),
  );
  rmSync(g('010'));
  rmSync(g('011'));
  // A small bank keeps the test quick; the logic is the same at 10,000. Twelve images make a few-shot product,
  // whose search would also try augmented reference sets: pinned off, since this file is about interruptions.
  writeFileSync(
    path.join(productDir, 'product.json'),
    JSON.stringify({ name: 'Glazed tile', coresetSize: BANK, engine: { augment: 'none' } }),
  );
  // The shipped backbone: the calibration CLI this file spawns uses the station default too.
  pool = await enginePool(generatedManifestPath(DEFAULT_BACKBONE), { threads: 1 });
  engines = calibrationEngines(pool);
});
afterAll(async () => {
  await pool?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('calibration with the real engine', () => {
  it('held-out scores are honest: each is higher than the same image scored against a bank holding it', async () => {
    const store = openStore(data);
    try {
      const r = await calibrateProduct({
        productId: 'tile',
        calibrationDir: cal,
        store,
        engineFor: engines.engineFor,
        bootstrap: 200,
      });
      expect(r.version).toBe(1);
      expect(r.report.heldOut.method).toBe('leave-one-out');
      expect(r.report.images.good).toEqual({ found: 12, used: 12 });
      expect(r.report.images.skipped).toEqual([]);
      const engine = await engines.engineFor({ inputMode: PRODUCT_DEFAULTS.inputMode });
      const set = engine.deserialise(readFileSync(r.refsetFile), r.refsetFile) as ReturnType<typeof decodeReferenceSet>;
      for (const g of r.report.goodScores) {
        const e = await engine.embed(readFileSync(path.join(productDir, g.name)), g.name);
        const inBank = (await engine.score(e, set)).score;
        expect(g.score).toBeGreaterThan(inBank);
        // Explain by example: an image of the set finds itself first.
        const near = nearestExamples(engine.imageEmbedding(e), set.images.embeddings, set.images.names, 3);
        expect(near[0].name).toBe(g.name);
        expect(near[0].distance).toBeLessThan(1e-3);
      }
      expect(r.report.reject!.n).toBe(3);
    } finally {
      store.close();
    }
  });
});

describe('eval verdict figures', () => {
  it('bands from train/good only; test goods and defects tallied into pass/review/fail', async () => {
    const engine = createEngine(pool.backbone, { threads: 1 });
    try {
      const good = readdirSync(path.join(productDir, 'good'))
        .sort()
        .map((f) => path.join(productDir, 'good', f));
      expect(good).toHaveLength(12);
      const train = good.slice(0, 9),
        testGood = good.slice(9);
      const defects = readdirSync(path.join(productDir, 'reject')).map((f) => path.join(productDir, 'reject', f));
      const embs = [];
      for (const f of train) embs.push(await engine.embedImage(readFileSync(f), f));
      const tally = await calibrateForEval(engine, embs, train, { seed: 1, bankSize: BANK, bootstrap: 100 });
      expect(tally.heldOut.method).toBe('leave-one-out');
      expect(tally.band.n).toBe(9);
      const set = engine.buildReferenceSet(embs, train, { coresetSize: BANK, seed: 1 });
      const item = async (f: string) => scoredItem(await engine.inspect(readFileSync(f), f, set));
      for (const f of testGood) tally.add(false, await item(f));
      for (const f of defects) tally.add(true, await item(f));
      const v = tally.verdicts();
      expect(v.good.pass + v.good.review + v.good.fail).toBe(3);
      expect(v.defect.pass + v.defect.review + v.defect.fail).toBe(3);
      expect(v.defect.review + v.defect.fail).toBeGreaterThanOrEqual(2);
      expect(tally.bandSummary().warnings.join(' ')).toMatch(
        /9 good images: the 1% fail threshold rests on 0.09 expected items/,
      );
    } finally {
      await engine.release();
    }
  });
});

function runCli(
  env: Record<string, string>,
  killWhen?: RegExp,
): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/calibrate.ts', 'tile', '--data', data, '--calibration', cal, '--bootstrap', '100'],
      {
        cwd: projectRoot,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      if (killWhen?.test(err)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, err }));
  });
}

async function activeStillUsable(expectVersion: number) {
  const store = openStore(data);
  try {
    expect(store.integrityCheck()).toBe('ok');
    const active = store.referenceSets.active('tile')!;
    expect(active.version).toBe(expectVersion);
    const file = refsetFile(store.dataDir, active.filePath);
    const set = (await engines.engineFor({ inputMode: PRODUCT_DEFAULTS.inputMode })).deserialise(
      readFileSync(file),
      file,
    ) as ReturnType<typeof decodeReferenceSet>;
    const engine = createEngine(pool.backbone, { threads: 1 });
    try {
      const img = path.join(productDir, 'good', 'good-000.png');
      const r = await engine.inspect(readFileSync(img), img, set);
      expect(['pass', 'review', 'fail']).toContain(judge(r.score, active.band));
    } finally {
      await engine.release();
    }
    return store.referenceSets.list('tile');
  } finally {
    store.close();
  }
}

describe('an interrupted calibration (SIGKILL) leaves the previous active version intact', () => {
  it('killed during held-out scoring', async () => {
    const r = await runCli({}, /calibrate: held-out scoring/);
    expect(r.signal).toBe('SIGKILL');
    const rows = await activeStillUsable(1);
    expect(rows.map((x) => x.version)).toEqual([1]);
  });

  it('killed after the new file and row are written but before activation', async () => {
    const r = await runCli({ CALIBRATE_HOLD_AFTER: 'row' }, /holding after row/);
    expect(r.signal).toBe('SIGKILL');
    const rows = await activeStillUsable(1);
    expect(rows.map((x) => [x.version, x.isActive])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(existsSync(path.join(data, 'reference-sets', 'tile', 'v2.refset'))).toBe(true);
  });

  it('the next calibration completes and activates a new version', async () => {
    const r = await runCli({});
    expect(r.code, r.err).toBe(0);
    const rows = await activeStillUsable(3);
    expect(rows.map((x) => x.version)).toEqual([1, 2, 3]);
  });
});
