// Images a lead accepts from the review queue are copied into good/ AND recorded as 'review'
// calibration images: calibration must count each of them once, as one good image, without
// calling the copy a duplicate (that warning is for photos the workshop put in twice).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calibrateProduct } from '../../station/calibrate/run.ts';
import { openStore, type Store } from '../../station/store/index.ts';
import { fakeEngine, writeFakeImage, writeFakeProduct } from './fakeEngine.ts';

let root: string;
let store: Store;
const engine = fakeEngine();
const cal = () => path.join(root, 'calibration');
const good = () => path.join(cal(), 'tile', 'good');
const run = () =>
  calibrateProduct({ productId: 'tile', calibrationDir: cal(), store, engineFor: async () => engine, bootstrap: 50 });

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'calib-review-'));
  store = openStore(path.join(root, 'data'));
  writeFakeProduct(path.join(cal(), 'tile'), { good: 12 });
  store.products.upsert({ id: 'tile', name: 'Fake tile' });
});
afterEach(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

/** What POST /api/inspections/:id/review does for accept_good, on a frame rendered with `seed`. */
function acceptFromReview(seed: number, opts: { copyIntoGood: boolean; recordAt?: string }): string {
  const frame = path.join(store.dataDir, 'evidence', '2024-05-01', `frame-${seed}.png`);
  writeFakeImage(frame, seed);
  const inspection = store.inspections.record({
    inspectedAt: Date.UTC(2024, 4, 1),
    productId: 'tile',
    score: 1,
    verdict: 'review',
    band: { reviewAt: 0.5, failAt: 2 },
    framePath: `2024-05-01/frame-${seed}.png`,
  });
  const target = path.join(good(), `inspection-${inspection.id}.png`);
  if (opts.copyIntoGood) {
    mkdirSync(good(), { recursive: true });
    copyFileSync(frame, target);
  }
  const sha256 = createHash('sha256').update(readFileSync(frame)).digest('hex');
  store.reviews.add({
    inspectionId: inspection.id,
    action: 'accept_good',
    userName: 'lead',
    calibrationImage: { filePath: opts.recordAt ?? target, sha256 },
  });
  return target;
}

describe('calibration counts an image accepted from review once', () => {
  it('the copy in good/ that the review row points at', async () => {
    acceptFromReview(777, { copyIntoGood: true });
    acceptFromReview(778, { copyIntoGood: true });
    const r = await run();
    expect(r.report.images.good).toEqual({ found: 14, used: 14 });
    expect(r.report.images.goodNames.filter((n) => n.startsWith('good/inspection-'))).toHaveLength(2);
    expect(r.report.images.goodNames.some((n) => n.startsWith('review/'))).toBe(false);
    expect(r.report.images.duplicates).toEqual([]);
    expect(r.report.warnings.join('\n')).not.toMatch(/duplicate/);
    expect(r.report.images.fromReview).toBe(2);
    expect(r.text).toContain('2 of the good images were accepted from the review queue');
    expect(r.text).not.toMatch(/duplicate/);
    expect(store.referenceSets.active('tile')!.imageCount).toBe(14);
    // one provenance row per image: the review row, no extra 'folder' row for its copy
    const rows = store.calibrationImages.list('tile');
    expect(rows).toHaveLength(14);
    expect(rows.filter((c) => c.source === 'review')).toHaveLength(2);
  });

  it('a review row whose file lies elsewhere but matches a good/ image by content', async () => {
    const target = acceptFromReview(779, {
      copyIntoGood: true,
      recordAt: path.join(store.dataDir, 'evidence', '2024-05-01', 'frame-779.png'),
    });
    const r = await run();
    expect(r.report.images.good).toEqual({ found: 13, used: 13 });
    expect(r.report.images.goodNames).toContain(`good/${path.basename(target)}`);
    expect(r.report.images.duplicates).toEqual([]);
    expect(r.report.images.fromReview).toBe(1);
  });

  it('a review image that is not in good/ still joins, once, under review/', async () => {
    acceptFromReview(780, {
      copyIntoGood: false,
      recordAt: path.join(store.dataDir, 'evidence', '2024-05-01', 'frame-780.png'),
    });
    const r = await run();
    expect(r.report.images.good).toEqual({ found: 13, used: 13 });
    expect(r.report.images.goodNames).toContain('review/frame-780.png');
    expect(r.report.images.fromReview).toBe(1);
    expect(r.report.images.duplicates).toEqual([]);
  });

  it('a photo put in good/ twice is still reported as a duplicate', async () => {
    copyFileSync(path.join(good(), 'g000.png'), path.join(good(), 'g000-again.png'));
    const r = await run();
    expect(r.report.images.good.found).toBe(12);
    expect(r.report.images.duplicates).toEqual([{ name: 'good/g000.png', sameAs: 'good/g000-again.png' }]);
    expect(r.report.images.fromReview).toBe(0);
  });
});

describe('an accepted image later confirmed defective', () => {
  /** The inspection an accepted copy came from (good/inspection-<id>.png). */
  const inspectionOf = (copy: string) => Number(/inspection-(\d+)/.exec(copy)![1]);

  it('leaves calibration, even when its copy is still (or again) in good/', async () => {
    const kept = acceptFromReview(781, { copyIntoGood: true });
    const defect = acceptFromReview(782, { copyIntoGood: true });
    const id = inspectionOf(defect);
    const r = store.reviews.add({ inspectionId: id, action: 'confirm_defect', userName: 'lead2' });
    expect(r.withdrawn.map((w) => w.filePath)).toEqual([defect]);
    // The route removes the copy; here it stays, as if the removal had failed or someone put it back.
    const cal = await run();
    expect(cal.report.images.goodNames).toContain(`good/${path.basename(kept)}`);
    expect(cal.report.images.goodNames).not.toContain(`good/${path.basename(defect)}`);
    expect(cal.report.images.good.used).toBe(13);
    expect(cal.report.images.ignored).toContainEqual({
      name: `good/${path.basename(defect)}`,
      reason: `left out: inspection ${id} confirmed defective by lead2`,
    });
    expect(cal.report.images.fromReview).toBe(1);
    const row = store.calibrationImages.list('tile').find((c) => c.inspectionId === id)!;
    expect(row.withdrawnAt).not.toBeNull();
  });

  it('without the withdrawal, the same folder trains on it (the check above can fail)', async () => {
    const defect = acceptFromReview(783, { copyIntoGood: true });
    const cal = await run();
    expect(cal.report.images.goodNames).toContain(`good/${path.basename(defect)}`);
  });
});
