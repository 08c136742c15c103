import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calibrateProduct } from '../../station/calibrate/run.ts';
import { activateVersion, refsetFile } from '../../station/referenceSets/versions.ts';
import { openStore, type Store } from '../../station/store/index.ts';
import { judge } from '../../station/verdict/judge.ts';
import { fakeEngine, writeFakeImage, writeFakeProduct } from './fakeEngine.ts';

let root: string;
let store: Store;
const engine = fakeEngine();
const engineFor = async () => engine;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'calib-'));
  store = openStore(path.join(root, 'data'));
});
afterEach(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

const cal = () => path.join(root, 'calibration');
const run = (extra: Partial<Parameters<typeof calibrateProduct>[0]> = {}) =>
  calibrateProduct({ productId: 'tile', calibrationDir: cal(), store, engineFor, bootstrap: 100, ...extra });

describe('calibrateProduct (fake numeric engine, real SQLite store and files)', () => {
  it('builds, stores and activates a version with band, report and reject rates', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 24, reject: 6 });
    const r = await run();
    expect(r.version).toBe(1);
    const row = store.referenceSets.active('tile')!;
    expect(row.version).toBe(1);
    expect(row.imageCount).toBe(24);
    expect(existsSync(r.refsetFile)).toBe(true);
    expect(refsetFile(store.dataDir, row.filePath)).toBe(r.refsetFile);
    expect(row.band.failAt).toBe(r.report.band.failAt);
    expect(row.band.failAtInterval).toEqual(r.report.band.intervals.failAt);
    expect(row.format).toBe(2);
    expect(row.report.band).toBeUndefined(); // the band is the file's; the row keeps its summary only
    expect(r.report.heldOut.method).toBe('k-fold');
    expect(r.report.reject!.n).toBe(6);
    expect(r.report.reject!.flagged).toBe(1); // fake defects are far off
    expect(r.report.rejectOptions!.options.length).toBeGreaterThan(3);
    expect(JSON.parse(readFileSync(r.reportFiles.json, 'utf8')).version).toBe(1);
    const text = readFileSync(r.reportFiles.text, 'utf8');
    expect(text).toContain('24 good used');
    expect(text).toContain('fail   above');
    expect(text).toMatch(/24 good images: the 1% fail threshold rests on 0.24 expected items/);
    expect(store.calibrationImages.list('tile')).toHaveLength(24);
    // the stored file loads and the band judges with it
    const set = engine.deserialise(readFileSync(r.refsetFile), r.refsetFile);
    const e = await engine.embed(readFileSync(path.join(cal(), 'tile', 'reject', 'r000.png')), 'r');
    expect(judge((await engine.score(e, set)).score, row.band)).toBe('fail');
  });

  it('calibrate twice, roll back: the active version has the old file and band', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 20 });
    const v1 = await run();
    // The workshop adds more good variation, then recalibrates.
    for (let i = 0; i < 12; i++) writeFakeImage(path.join(cal(), 'tile', 'good', `new${i}.png`), 9000 + i);
    const v2 = await run();
    expect(v2.version).toBe(2);
    expect(store.referenceSets.active('tile')!.version).toBe(2);
    expect(v2.report.comparison!.previousVersion).toBe(1);
    expect(v2.report.comparison!.good!.n).toBe(12); // only images v1 had never seen
    expect(v2.report.comparison!.notes.join(' ')).toMatch(/20 good image\(s\) were in v1/);
    expect(v2.refsetFile).not.toBe(v1.refsetFile);
    const old = store.referenceSets.getVersion('tile', 1)!;
    activateVersion(store, 'tile', 1, (b, f) => engine.deserialise(b, f));
    const active = store.referenceSets.active('tile')!;
    expect(active.version).toBe(1);
    expect(refsetFile(store.dataDir, active.filePath)).toBe(v1.refsetFile);
    expect(active.band).toEqual(old.band);
    expect(active.band.failAt).toBe(v1.report.band.failAt);
    expect(readFileSync(v1.refsetFile)).toEqual(
      Buffer.from(engine.serialise(engine.deserialise(readFileSync(v1.refsetFile), 'x'))),
    );
    expect(store.referenceSets.list('tile').map((r) => r.isActive)).toEqual([true, false]);
    expect(() => activateVersion(store, 'tile', 7)).toThrow(/no reference set v7 \(versions: v1, v2\)/);
  });

  it('before/after compares rejects under both versions, and refuses to compare across backbones', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 16, reject: 4 });
    await run();
    const v2 = await run();
    expect(v2.report.comparison!.reject!.n).toBe(4);
    expect(v2.report.comparison!.reject!.before.flagged).toBe(1);
    expect(v2.report.comparison!.good).toBeUndefined(); // every good image was in v1's reference set
    expect(v2.text).toMatch(/rejects \(4\): caught 100.0% → 100.0%/);
    const other = fakeEngine({ sha: 'e'.repeat(64) });
    const v3 = await run({ engineFor: async () => other });
    expect(v3.report.comparison!.notes.join(' ')).toMatch(/built with another backbone/);
    expect(v3.report.comparison!.reject).toBeUndefined();
  });

  it('--no-activate keeps the previous active version', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 12 });
    await run();
    const r = await run({ activate: false });
    expect(r.activated).toBe(false);
    expect(store.referenceSets.active('tile')!.version).toBe(1);
    expect(r.report.heldOut.method).toBe('leave-one-out');
  });

  it('a product that judges its most deviating share stores that model with bands calibrated on it', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), {
      good: 20,
      reject: 4,
      product: { name: 'Fake tile', scoreTopShare: 0.25 },
    });
    const r = await run();
    const row = store.referenceSets.active('tile')!;
    // The file holds the score model and band (the row only says which kind it judges).
    const file = engine.deserialise(readFileSync(r.refsetFile), r.refsetFile);
    expect(engine.judgingOf(file)!.scoreModel).toEqual({ kind: 'top', topShare: 0.25 });
    expect(row.scoreKind).toBe('top');
    expect(row.band.scoreModel).toBeUndefined();
    expect(r.report.heldOut.scoreKind).toBe('top-share');
    expect(readFileSync(r.reportFiles.text, 'utf8')).toContain(
      'score: top-share (mean of the most deviating 25.0% of each item)',
    );
    // the max-judged version of the same images sits higher: the band really rests on pooled scores
    writeFileSync(path.join(cal(), 'tile', 'product.json'), JSON.stringify({ name: 'Fake tile' }));
    const raw = await run();
    expect(raw.report.band.failAt).toBeGreaterThan(r.report.band.failAt);
    const set = engine.deserialise(readFileSync(r.refsetFile), r.refsetFile);
    const e = await engine.embed(readFileSync(path.join(cal(), 'tile', 'reject', 'r000.png')), 'r');
    const { judgeInspection } = await import('../../station/verdict/scoreModel.ts');
    const { versionBand } = await import('../../station/referenceSets/versions.ts');
    const band = versionBand(row, engine.judgingOf(set), 'v1');
    expect(band.scoreModel).toEqual({ kind: 'top', topShare: 0.25 });
    expect(judgeInspection(await engine.score(e, set), band).verdict).toBe('fail');
  });
});

describe('bad calibration inputs', () => {
  it('fewer good images than the minimum stops with a clear message', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 7 });
    await expect(run()).rejects.toThrow(
      /good: 7 distinct good image\(s\), at least 10 needed \(minGoodImages in product.json\)/,
    );
    expect(store.referenceSets.list('tile')).toHaveLength(0);
  });

  it('duplicates are counted once and reported', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 11 });
    copyFileSync(path.join(cal(), 'tile', 'good', 'g000.png'), path.join(cal(), 'tile', 'good', 'zz-copy.png'));
    const r = await run();
    expect(r.report.images.good).toEqual({ found: 11, used: 11 });
    expect(r.report.images.duplicates).toEqual([{ name: 'good/zz-copy.png', sameAs: 'good/g000.png' }]);
    expect(r.text).toContain('good/zz-copy.png = good/g000.png');
  });

  it('duplicates do not count toward the minimum', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 9 });
    copyFileSync(path.join(cal(), 'tile', 'good', 'g000.png'), path.join(cal(), 'tile', 'good', 'zz-copy.png'));
    await expect(run()).rejects.toThrow(
      /9 distinct good image\(s\) \(1 duplicate\(s\) counted once\), at least 10 needed/,
    );
  });

  it('an unreadable image is reported by name and skipped when the rest meets the minimum', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 10 });
    writeFileSync(path.join(cal(), 'tile', 'good', 'broken.jpg'), 'not an image');
    writeFileSync(path.join(cal(), 'tile', 'good', 'notes.txt'), 'hello');
    const r = await run();
    expect(r.report.images.skipped).toEqual([
      { name: 'good/broken.jpg', reason: expect.stringContaining('good/broken.jpg: not a readable image') },
    ]);
    expect(r.report.images.ignored[0]).toMatchObject({ name: 'good/notes.txt' });
    expect(r.text).toMatch(/1 unreadable, skipped:\n\s+good\/broken.jpg/);
  });

  it('an unreadable image that leaves too few stops, naming it', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 9 });
    writeFileSync(path.join(cal(), 'tile', 'good', 'broken.jpg'), 'not an image');
    await expect(run()).rejects.toThrow(
      /only 9 readable good image\(s\), at least 10 needed. Unreadable: good\/broken.jpg/,
    );
  });

  it('the same image in good/ and reject/ is refused', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 10 });
    writeFakeImage(path.join(cal(), 'tile', 'reject', 'r.png'), 1003);
    await expect(run()).rejects.toThrow(/reject\/r.png and good\/g003.png are the same image/);
  });

  it('missing folder, missing good/, missing product.json, bad product.json', async () => {
    await expect(run()).rejects.toThrow(
      /calibration\/tile does not exist: create it with good\/ images and a product.json/,
    );
    writeFakeProduct(path.join(cal(), 'bowl'), { good: 0 });
    await expect(run()).rejects.toThrow(/\(products found: bowl\)/);
    rmSync(path.join(cal(), 'bowl', 'product.json'));
    await expect(calibrateProduct({ productId: 'bowl', calibrationDir: cal(), store, engineFor })).rejects.toThrow(
      /bowl\/product.json is missing/,
    );
    writeFakeProduct(path.join(cal(), 'tile'), { good: 0, product: { name: 'T', tolerance: { failRate: 5 } } });
    await expect(run()).rejects.toThrow(/tile\/product.json → tolerance → failRate: must be a number in \(0, 0.5\)/);
    writeFakeProduct(path.join(cal(), 'tile'), { good: 0 });
    rmSync(path.join(cal(), 'tile', 'good'), { recursive: true });
    await expect(run()).rejects.toThrow(/tile\/good is missing: put images of accepted \(good\) items there/);
  });

  it('bands from rejects without rejects is refused', async () => {
    writeFakeProduct(path.join(cal(), 'tile'), { good: 10 });
    await expect(run({ bandsFrom: 'rejects' })).rejects.toThrow(/no readable reject images/);
  });
});
