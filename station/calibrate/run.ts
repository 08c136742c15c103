/**
 * Calibrate one product: calibration folder → held-out good scores → tolerance band → new
 * reference-set version (file, report, store row) → activation, strictly in that order.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/index.ts';
import { estimateBands, type ToleranceBand } from '../verdict/bands.ts';
import { chooseBandsFromRejects } from '../verdict/choose.ts';
import { histogram } from '../verdict/histogram.ts';
import { goodRates, rejectRates } from '../verdict/judge.ts';
import { productScorer, scoreKindOf } from '../verdict/scoreModel.ts';
import { compareWithPrevious } from './compare.ts';
import { embedAll } from './embedAll.ts';
import type { CalibrationEngine, EngineFactory } from './engine.ts';
import { heldOutItemScores } from './heldOut.ts';
import { loadProductConfig, type ProductConfig } from './productConfig.ts';
import { reportText, type CalibrationReport } from './report.ts';
import { scanCalibrationFolder, type FolderScan } from './scanFolder.ts';
import { imageFacts, keptOrLeftOut, leftOut, scoreOutliers, screenFacts, type ImageFacts } from './screen.ts';
import { heldOutUnderModel } from './scoreModel.ts';
import { refsetRelPath, refsetFile } from './versions.ts';
import { writeFileAtomic } from '../store/atomicWrite.ts';
import type { ProductTuner, TunedChoice } from './tune/productTuner.ts';

export type Stage = 'screen' | 'self-tuning' | 'augment' | 'embed good' | 'embed rejects' | 'held-out scoring' | 'reference set' | 'rejects' | 'compare' | 'write';

export interface CalibrateOptions {
  productId: string;
  calibrationDir: string;
  store: Store;
  engineFor: EngineFactory;
  /** Make the new version active (default true). */
  activate?: boolean;
  /** 'rejects': choose the band from reject/ images (needs some) instead of the product's rates. */
  bandsFrom?: 'rates' | 'rejects';
  bootstrap?: number;
  folds?: number;
  onProgress?: (stage: Stage, done: number, total: number) => void;
  /** Self-tuning: the product chooses its engine configuration from its own images; absent = product.json as written. */
  tune?: ProductTuner;
  /** Called after each durable step; tests use it to interrupt at known points. */
  onStep?: (step: 'file' | 'report' | 'row' | 'activated') => void;
}

export interface CalibrateResult {
  version: number;
  activated: boolean;
  refsetFile: string;
  reportFiles: { json: string; text: string };
  report: CalibrationReport;
  text: string;
}

const secondsSince = (t: number) => (performance.now() - t) / 1000;

export async function calibrateProduct(opts: CalibrateOptions): Promise<CalibrateResult> {
  const t0 = performance.now();
  const { store, productId } = opts;
  const progress = opts.onProgress ?? (() => {});
  const productDir = path.join(opts.calibrationDir, productId);
  if (!existsSync(productDir)) {
    const have = listProducts(opts.calibrationDir);
    throw new Error(`calibration folder ${productDir} does not exist: create it with good/ images and a product.json` +
      (have.length ? ` (products found: ${have.join(', ')})` : ''));
  }
  const product: ProductConfig = loadProductConfig(path.join(productDir, 'product.json'), productId);
  // Images a lead accepted from the review queue join the good ones.
  const fromReview = store.products.get(productId)
    ? store.calibrationImages.list(productId).filter((c) => c.source === 'review' && c.withdrawnAt === null)
        .map((c) => ({ name: `review/${path.basename(c.filePath)}`, file: path.resolve(store.dataDir, c.filePath) }))
    : [];
  const scanned = leaveOutWithdrawn(scanCalibrationFolder(productDir, fromReview), store.calibrationImages.withdrawn(productId));
  // Images that do not belong stay out of everything that follows, self-tuning included (see screen.ts).
  const facts: { name: string; facts: ImageFacts | null }[] = [];
  for (const [i, g] of scanned.good.entries()) {
    facts.push({ name: g.name, facts: await imageFacts(g.file) });
    progress('screen', i + 1, scanned.good.length);
  }
  const flagged = keptOrLeftOut(screenFacts(facts), product.keepImages);
  const scan = { ...scanned, good: scanned.good.filter((g) => !leftOut(flagged, g.name)) };
  const min = product.minGoodImages;
  const screenedOut = flagged.filter((f) => !f.kept);
  if (scan.good.length < min)
    throw new Error(`${path.join(productDir, 'good')}: ${scan.good.length} distinct good image(s)` +
      (scan.duplicates.length ? ` (${scan.duplicates.length} duplicate(s) counted once)` : '') +
      (screenedOut.length ? ` (${screenedOut.length} left out as not belonging: ${screenedOut.map((f) => `${f.name}, ${f.reason}`).join('; ')})` : '') +
      `, at least ${min} needed (minGoodImages in product.json); add photos of more accepted items (10-20 recommended)`);

  let tuned: TunedChoice | undefined;
  if (opts.tune) {
    progress('self-tuning', 0, 1);
    tuned = await opts.tune(product, scan, (d, n) => progress('self-tuning', d, n));
  }
  // The pooling the product judges by: its own when pinned, else the one self-tuning chose.
  const scoring: ProductConfig = tuned ? { ...product, scoreTopShare: tuned.topShare } : product;
  const engine = (await opts.engineFor(tuned?.engine ?? { inputMode: product.inputMode, coresetSize: product.coresetSize })) as CalibrationEngine<unknown, unknown>;
  // A tuned configuration carries its bank size (a larger input searches a smaller bank, see tune/candidates.ts).
  const coresetSize = tuned?.engine.coresetSize ?? product.coresetSize;
  const tEmbed = performance.now();
  const good = await embedAll(engine, scan.good, (d, n) => progress('embed good', d, n));
  if (good.ok.length < min) {
    throw new Error(`${path.join(productDir, 'good')}: only ${good.ok.length} readable good image(s), at least ${min} needed. Unreadable: ` +
      good.skipped.map((s) => s.reason).join('; '));
  }
  const rejects = await embedAll(engine, scan.reject, (d, n) => progress('embed rejects', d, n));
  const embedSeconds = secondsSince(tEmbed);

  // Augmented views (when the configuration has them) join the banks beside their image, never score alone.
  let views: unknown[][] = [];
  if (engine.embedViews && tuned?.engine.augment && tuned.engine.augment !== 'none') {
    for (const [i, g] of good.ok.entries()) {
      views.push(await engine.embedViews(readFileSync(g.file.file), g.file.name));
      progress('augment', i + 1, good.ok.length);
    }
  }
  const tHeld = performance.now();
  const heldOut = async () => {
    const embs = good.ok.map((g) => g.embedding);
    const names = good.ok.map((g) => g.file.name);
    const held = await heldOutItemScores(engine, embs, names, {
      seed: product.seed, coresetSize, folds: opts.folds, onProgress: (d, n) => progress('held-out scoring', d, n),
      views: views.length ? views : undefined, itemRegion: tuned?.itemRegion,
    });
    return { embs, names, held, ...heldOutUnderModel(scoring, held.scores, engine.grid(embs[0])) };
  };
  let { embs, names, held, model, scores: goodScores } = await heldOut();
  // A good image scored far outside the others is most likely not one (a wrong product, a defect): it leaves,
  // and the others are scored again without it in their banks.
  const outliers = keptOrLeftOut(scoreOutliers(names.map((name, i) => ({ name, score: goodScores[i] }))), product.keepImages);
  flagged.push(...outliers);
  if (outliers.some((f) => !f.kept)) {
    const stays = good.ok.map((g) => !leftOut(outliers, g.file.name));
    if (views.length) views = views.filter((_, i) => stays[i]);
    good.ok = good.ok.filter((_, i) => stays[i]);
    if (good.ok.length < min) {
      throw new Error(`${path.join(productDir, 'good')}: ${good.ok.length} good image(s) left after leaving out ${outliers.filter((f) => !f.kept).map((f) => `${f.name} (${f.reason})`).join(', ')}; at least ${min} needed`);
    }
    ({ embs, names, held, model, scores: goodScores } = await heldOut());
  }
  const heldOutSeconds = secondsSince(tHeld);

  const tBuild = performance.now();
  progress('reference set', 0, 1);
  const bank = await engine.build(embs, names, { seed: product.seed, coresetSize, views: views.length ? views.flat() : undefined, itemRegion: tuned?.itemRegion });
  progress('reference set', 1, 1);
  const buildSeconds = secondsSince(tBuild);

  const scoreOf = productScorer(model);
  const rejectScores: number[] = [];
  for (const [i, r] of rejects.ok.entries()) {
    rejectScores.push(scoreOf(await engine.score(r.embedding, bank)));
    progress('rejects', i + 1, rejects.ok.length);
  }

  const scoreKind = scoreKindOf(model);
  const bootstrap = opts.bootstrap ?? 1000;
  let band: ToleranceBand;
  let rejectOptions: CalibrationReport['rejectOptions'];
  if (rejectScores.length > 0) {
    const choice = chooseBandsFromRejects(goodScores, rejectScores, { bootstrap, seed: product.seed });
    rejectOptions = { options: choice.options, chosen: choice.chosen, reason: choice.reason };
    band = opts.bandsFrom === 'rejects' ? choice.band : estimateBands(goodScores, { ...product.tolerance, bootstrap, seed: product.seed });
  } else {
    if (opts.bandsFrom === 'rejects') throw new Error(`${path.join(productDir, 'reject')}: no readable reject images, so bands cannot be chosen from rejects`);
    band = estimateBands(goodScores, { ...product.tolerance, bootstrap, seed: product.seed });
  }
  band.scoreKind = scoreKind;

  store.products.upsert({ id: productId, name: product.name, settings: { ...product } as unknown as Record<string, unknown> });
  const previous = store.referenceSets.active(productId);
  const version = store.referenceSets.nextVersion(productId);
  let comparison: CalibrationReport['comparison'];
  if (previous) {
    progress('compare', 0, 1);
    comparison = await compareWithPrevious({
      previous, dataDir: store.dataDir, engine,
      good: good.ok.map((g, i) => ({ sha256: g.file.sha256, embedding: g.embedding, heldOutScore: goodScores[i] })),
      rejects: rejects.ok.map((r, i) => ({ embedding: r.embedding, score: rejectScores[i] })),
      band,
    });
    progress('compare', 1, 1);
  }

  const lo = Math.min(...goodScores, ...rejectScores);
  const hi = Math.max(...goodScores, ...rejectScores, band.failAt);
  const report: CalibrationReport = {
    product: { id: productId, name: product.name },
    version,
    createdAt: new Date().toISOString(),
    modelSha256: engine.modelSha256,
    settings: {
      inputMode: product.inputMode, coresetSize: coresetSize ?? engine.defaultCoresetSize, seed: product.seed, minGoodImages: min,
      placedConsistently: product.placedConsistently, regions: product.regions.length, bandsFrom: opts.bandsFrom ?? 'rates',
      scoreTopShare: scoring.scoreTopShare,
    },
    ...(tuned ? { tuning: tuned.summary } : {}),
    images: {
      good: { found: scan.good.length, used: good.ok.length },
      reject: { found: scan.reject.length, used: rejects.ok.length },
      duplicates: scan.duplicates,
      fromReview: scan.fromReview.length,
      skipped: [...good.skipped, ...rejects.skipped],
      ignored: scan.ignored,
      flagged,
      goodNames: names,
      goodSha256: good.ok.map((g) => g.file.sha256),
    },
    heldOut: { method: held.method, folds: held.folds, scoreKind },
    goodScores: names.map((name, i) => ({ name, score: goodScores[i] })),
    band,
    good: goodRates(goodScores, band),
    histogram: {
      good: histogram(goodScores, { bins: 20, min: lo, max: hi }),
      ...(rejectScores.length ? { reject: histogram(rejectScores, { bins: 20, min: lo, max: hi }) } : {}),
    },
    ...(rejectScores.length
      ? { reject: { ...rejectRates(rejectScores, band), scores: rejects.ok.map((r, i) => ({ name: r.file.name, score: rejectScores[i] })) } }
      : {}),
    rejectOptions,
    comparison,
    warnings: [
      ...band.warnings,
      ...good.skipped.map((s) => `skipped unreadable good image ${s.name}`),
      ...(scan.duplicates.length ? [`${scan.duplicates.length} duplicate image(s) counted once`] : []),
      ...(flagged.some((f) => !f.kept) ? [`${flagged.filter((f) => !f.kept).length} good image(s) left out as not belonging (listed in the report; keepImages in product.json keeps one)`] : []),
    ],
    timings: { embedSeconds, heldOutSeconds, buildSeconds, totalSeconds: 0 },
  };

  // Durable steps, in order: file, report, row, activation. A kill before activation leaves the old version active.
  progress('write', 0, 3);
  const rel = refsetRelPath(productId, version);
  const file = refsetFile(store.dataDir, rel);
  await writeFileAtomic(file, engine.serialise(bank, tuned?.summary));
  opts.onStep?.('file');
  progress('write', 1, 3);
  report.timings.totalSeconds = secondsSince(t0);
  const text = reportText(report);
  const reportFiles = { json: file.replace(/\.refset$/, '.report.json'), text: file.replace(/\.refset$/, '.report.txt') };
  await writeFileAtomic(reportFiles.json, JSON.stringify(report, null, 1));
  await writeFileAtomic(reportFiles.text, text);
  opts.onStep?.('report');
  progress('write', 2, 3);
  const { goodScores: _scores, ...storedReport } = report;
  store.db.transaction(() => {
    store.referenceSets.addVersion({
      productId, version, filePath: rel, modelSha256: engine.modelSha256, imageCount: good.ok.length,
      thresholds: {
        review: band.reviewAt, fail: band.failAt, reviewInterval: band.intervals.reviewAt, failInterval: band.intervals.failAt,
        band, scoreModel: model,
      },
      report: storedReport as unknown as Record<string, unknown>,
    });
    for (const g of good.ok) {
      if (!store.calibrationImages.bySha(productId, g.file.sha256))
        store.calibrationImages.add({ productId, filePath: g.file.file, sha256: g.file.sha256, source: 'folder' });
    }
  })();
  opts.onStep?.('row');
  progress('write', 3, 3);
  const activate = opts.activate ?? true;
  if (activate) {
    store.referenceSets.activate(productId, version);
    opts.onStep?.('activated');
  }
  return { version, activated: activate, refsetFile: file, reportFiles, report, text };
}

/** Product folders (those holding a product.json) under the calibration folder. */
export function listProducts(calibrationDir: string): string[] {
  if (!existsSync(calibrationDir)) return [];
  return readdirSync(calibrationDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(calibrationDir, e.name, 'product.json')))
    .map((e) => e.name)
    .sort();
}

/**
 * A good image a later review confirmed defective stays out, whatever folder it is found in again (a copy that
 * could not be removed, or put back by hand): a reference set must never learn a confirmed defect as good.
 */
function leaveOutWithdrawn(scan: FolderScan, withdrawn: Map<string, string>): FolderScan {
  const keep = scan.good.filter((g) => !withdrawn.has(g.sha256));
  if (keep.length === scan.good.length) return scan;
  const out = scan.good.filter((g) => withdrawn.has(g.sha256)).map((g) => ({ name: g.name, reason: `left out: ${withdrawn.get(g.sha256)}` }));
  return { ...scan, good: keep, ignored: [...scan.ignored, ...out] };
}
