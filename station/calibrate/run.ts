/**
 * Calibrate one product: calibration folder → held-out good scores → tolerance band → new
 * reference-set version (file, report, store row) → activation, strictly in that order.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { listProducts, recordProduct } from '../products/folders.ts';
import type { Store } from '../store/index.ts';
import { estimateBands, type ToleranceBand } from '../verdict/bands.ts';
import { chooseBandsFromRejects } from '../verdict/choose.ts';
import { histogram } from '../verdict/histogram.ts';
import { goodRates, rejectRates } from '../verdict/judge.ts';
import { productScorer, scoreKindOf, type ScoreModel } from '../verdict/scoreModel.ts';
import { compareWithPrevious } from './compare.ts';
import { embedAll, type Embedded } from './embedAll.ts';
import type { CalibrationEngine, EngineFactory } from './engine.ts';
import { bankWithout, heldOutItemScores, heldOutWithout, type HeldOutItems, type HeldOutOptions } from './heldOut.ts';
import { loadProductConfig, type ProductConfig } from '../products/productConfig.ts';
import { reportText, type CalibrationReport } from './report.ts';
import { scanCalibrationFolder, type FolderScan } from './scanFolder.ts';
import {
  imageFacts,
  keptOrLeftOut,
  leftOut,
  scoreOutliers,
  screenFacts,
  type FlaggedImage,
  type ImageFacts,
} from './screen.ts';
import { pairEngine } from './pairEngine.ts';
import { heldOutUnderModel, heldOutUnderPair } from './scoreModel.ts';
import { refsetRelPath, refsetFile, storedBand } from '../referenceSets/versions.ts';
import { writeFileAtomic } from '../store/atomicWrite.ts';
import { REFERENCE_SET_FORMAT } from '../vision/referenceSet.ts';
import type { ProductTuner, TunedChoice } from './tune/productTuner.ts';

export type Stage =
  | 'screen'
  | 'self-tuning'
  | 'augment'
  | 'embed good'
  | 'embed rejects'
  | 'held-out scoring'
  | 'reference set'
  | 'rejects'
  | 'compare'
  | 'write';

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

type Progress = NonNullable<CalibrateOptions['onProgress']>;
type Engine = CalibrationEngine<unknown, unknown>;
type EmbeddedImages = { ok: Embedded<unknown>[]; skipped: { name: string; reason: string }[] };

export async function calibrateProduct(opts: CalibrateOptions): Promise<CalibrateResult> {
  const t0 = performance.now();
  const { store, productId } = opts;
  const progress = opts.onProgress ?? (() => {});
  const productDir = productFolder(opts.calibrationDir, productId);
  const product: ProductConfig = loadProductConfig(path.join(productDir, 'product.json'), productId);
  const { scan, flagged } = await screenedScan(store, productId, productDir, product, progress);
  const tuned = await selfTune(opts.tune, product, scan, progress);
  // The pooling the product judges by: its own when pinned, else the one self-tuning chose.
  const scoring: ProductConfig = tuned ? { ...product, scoreTopShare: tuned.topShare } : product;
  const engine = await calibrationEngine(opts.engineFor, product, tuned);
  // A tuned configuration carries its bank size (a larger input searches a smaller bank, see tune/candidates.ts).
  const coresetSize = tuned?.engine.coresetSize ?? product.coresetSize;
  const { good, rejects, embedSeconds } = await embedImages(engine, scan, product.minGoodImages, productDir, progress);
  const views = await goodViews(engine, good, tuned, progress);
  const tHeld = performance.now();
  const bankOf = (embs: unknown[], names: string[], v: unknown[][]) =>
    engine.build(embs, names, {
      seed: product.seed,
      coresetSize,
      views: v.length ? v : undefined,
      itemRegion: tuned?.itemRegion,
    });
  // The final bank is chosen beside the held-out folds (on a coreset pool's threads, see coreset/pool.ts); a good
  // image the held-out screen then leaves out is taken out of it.
  const [goodEmbs, goodNames] = [good.ok.map((g) => g.embedding), good.ok.map((g) => g.file.name)];
  const allGood = Promise.resolve().then(() => bankOf(goodEmbs, goodNames, views));
  allGood.catch(() => {}); // awaited below; a failure meanwhile is not unhandled
  const heldOut = await heldOutGood(
    { engine, product, scoring, coresetSize, tuned, folds: opts.folds, productDir, progress },
    good,
    views,
    flagged,
  );
  const heldOutSeconds = secondsSince(tHeld);

  const tBuild = performance.now();
  progress('reference set', 0, 1);
  const leaving = new Set(flagged.filter((f) => !f.kept).map((f) => f.name));
  const set = await bankWithout(engine, await allGood, leaving, () =>
    bankOf(heldOut.embs, heldOut.names, heldOut.views),
  );
  progress('reference set', 1, 1);
  const buildSeconds = secondsSince(tBuild);

  const rejectScores = await scoreRejects(engine, rejects, set, productScorer(heldOut.model), progress);
  const { band, rejectOptions } = toleranceBand(
    heldOut.goodScores,
    rejectScores,
    product,
    opts,
    productDir,
    scoreKindOf(heldOut.model),
  );

  recordProduct(store, productId, product);
  const previous = store.referenceSets.active(productId);
  const version = store.referenceSets.nextVersion(productId);
  let comparison: CalibrationReport['comparison'];
  if (previous) {
    progress('compare', 0, 1);
    comparison = await compareWithPrevious({
      previous,
      dataDir: store.dataDir,
      engine,
      good: good.ok.map((g, i) => ({
        sha256: g.file.sha256,
        embedding: g.embedding,
        heldOutScore: heldOut.goodScores[i],
      })),
      rejects: rejects.ok.map((r, i) => ({ embedding: r.embedding, score: rejectScores[i] })),
      band,
    });
    progress('compare', 1, 1);
  }

  const report = calibrationReport({
    productId,
    product,
    scoring,
    version,
    engine,
    coresetSize,
    bandsFrom: opts.bandsFrom,
    tuned,
    scan,
    good,
    rejects,
    flagged,
    heldOut,
    band,
    rejectScores,
    rejectOptions,
    comparison,
    timings: { embedSeconds, heldOutSeconds, buildSeconds, totalSeconds: 0 },
  });
  return writeVersion({ opts, version, engine, set, tuned, report, model: heldOut.model, band, good, progress, t0 });
}

/** The product's calibration folder; when it is missing, the error names the products that exist. */
function productFolder(calibrationDir: string, productId: string): string {
  const productDir = path.join(calibrationDir, productId);
  if (!existsSync(productDir)) {
    const have = listProducts(calibrationDir);
    throw new Error(
      `calibration folder ${productDir} does not exist: create it with good/ images and a product.json` +
        (have.length ? ` (products found: ${have.join(', ')})` : ''),
    );
  }
  return productDir;
}

/**
 * The calibration folder's images (with those a lead accepted from the review queue, less withdrawn ones), and
 * the good images that do not look like they belong (see screen.ts): those stay out of everything that follows,
 * self-tuning included. Too few good images left stop calibration here.
 */
async function screenedScan(
  store: Store,
  productId: string,
  productDir: string,
  product: ProductConfig,
  progress: Progress,
): Promise<{ scan: FolderScan; flagged: FlaggedImage[] }> {
  const fromReview = store.products.get(productId)
    ? store.calibrationImages
        .list(productId)
        .filter((c) => c.source === 'review' && c.withdrawnAt === null)
        .map((c) => ({ name: `review/${path.basename(c.filePath)}`, file: path.resolve(store.dataDir, c.filePath) }))
    : [];
  const scanned = leaveOutWithdrawn(
    scanCalibrationFolder(productDir, fromReview),
    store.calibrationImages.withdrawn(productId),
  );
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
    throw new Error(
      `${path.join(productDir, 'good')}: ${scan.good.length} distinct good image(s)` +
        (scan.duplicates.length ? ` (${scan.duplicates.length} duplicate(s) counted once)` : '') +
        (screenedOut.length
          ? ` (${screenedOut.length} left out as not belonging: ${screenedOut.map((f) => `${f.name}, ${f.reason}`).join('; ')})`
          : '') +
        `, at least ${min} needed (minGoodImages in product.json); add photos of more accepted items (10-20 recommended)`,
    );
  return { scan, flagged };
}

/** The engine calibration runs: the configuration chosen (or product.json's), or both members of a chosen pair. */
async function calibrationEngine(
  engineFor: EngineFactory,
  product: ProductConfig,
  tuned: TunedChoice | undefined,
): Promise<Engine> {
  const first = await engineFor(tuned?.engine ?? { inputMode: product.inputMode, coresetSize: product.coresetSize });
  if (!tuned?.partner) return first as Engine;
  const second = await engineFor(tuned.partner.engine);
  type Member = Parameters<typeof pairEngine>[0];
  const secondCoreset = tuned.partner.engine.coresetSize ?? second.defaultCoresetSize;
  return pairEngine(first as Member, second as Member, secondCoreset) as Engine;
}

/** Self-tuning, when the station has it: the product chooses its engine configuration from its own images. */
async function selfTune(
  tune: ProductTuner | undefined,
  product: ProductConfig,
  scan: FolderScan,
  progress: Progress,
): Promise<TunedChoice | undefined> {
  if (!tune) return undefined;
  progress('self-tuning', 0, 1);
  return tune(product, scan, (d, n) => progress('self-tuning', d, n));
}

/** Good and reject embeddings; too few readable good images stop calibration here. */
async function embedImages(engine: Engine, scan: FolderScan, min: number, productDir: string, progress: Progress) {
  const tEmbed = performance.now();
  const good = await embedAll(engine, scan.good, (d, n) => progress('embed good', d, n));
  if (good.ok.length < min) {
    throw new Error(
      `${path.join(productDir, 'good')}: only ${good.ok.length} readable good image(s), at least ${min} needed. Unreadable: ` +
        good.skipped.map((s) => s.reason).join('; '),
    );
  }
  const rejects = await embedAll(engine, scan.reject, (d, n) => progress('embed rejects', d, n));
  return { good, rejects, embedSeconds: secondsSince(tEmbed) };
}

/** Augmented views (when the configuration has them) join the banks beside their image, never score alone. */
async function goodViews(
  engine: Engine,
  good: EmbeddedImages,
  tuned: TunedChoice | undefined,
  progress: Progress,
): Promise<unknown[][]> {
  const views: unknown[][] = [];
  const augments = [tuned?.engine.augment, tuned?.partner?.engine.augment];
  if (engine.embedViews && augments.some((a) => a && a !== 'none')) {
    for (const [i, g] of good.ok.entries()) {
      views.push(await engine.embedViews(readFileSync(g.file.file), g.file.name));
      progress('augment', i + 1, good.ok.length);
    }
  }
  return views;
}

/** What held-out scoring of the good images needs besides the images. */
interface HeldOutContext {
  engine: Engine;
  product: ProductConfig;
  scoring: ProductConfig;
  coresetSize: number | undefined;
  tuned: TunedChoice | undefined;
  folds: number | undefined;
  productDir: string;
  progress: Progress;
}

/** How the good images' held-out scores are made (no image scored against a bank holding it). */
function heldOutOptions(c: HeldOutContext, views: unknown[][]): HeldOutOptions<unknown> {
  return {
    seed: c.product.seed,
    coresetSize: c.coresetSize,
    folds: c.folds,
    onProgress: (d, n) => c.progress('held-out scoring', d, n),
    views: views.length ? views : undefined,
    itemRegion: c.tuned?.itemRegion,
  };
}

/** The product's score model from the held-out scores, and the good images' scores under it. */
function underScoreModel(c: HeldOutContext, held: HeldOutItems, grid: { gridW: number; gridH: number }) {
  const partner = c.tuned?.partner;
  return partner
    ? heldOutUnderPair(held.scores, [c.scoring.scoreTopShare, partner.topShare])
    : heldOutUnderModel(c.scoring, held.scores, grid);
}

/**
 * Held-out good scores. A good image scored far outside the others is most likely not one (a wrong product, a
 * defect): it leaves (good.ok and flagged are updated), and the others are scored again without its patches in
 * their banks.
 */
async function heldOutGood(c: HeldOutContext, good: EmbeddedImages, views: unknown[][], flagged: FlaggedImage[]) {
  let embs = good.ok.map((g) => g.embedding);
  let names = good.ok.map((g) => g.file.name);
  const grid = c.engine.grid(embs[0]);
  const opts = heldOutOptions(c, views);
  let held = await heldOutItemScores(c.engine, embs, names, opts);
  const first = underScoreModel(c, held, grid);
  const outliers = keptOrLeftOut(
    scoreOutliers(names.map((name, i) => ({ name, score: first.scores[i] }))),
    c.product.keepImages,
  );
  flagged.push(...outliers);
  if (!outliers.some((f) => !f.kept)) return { embs, names, held, model: first.model, goodScores: first.scores, views };
  const leave = new Set(names.flatMap((n, i) => (leftOut(outliers, n) ? [i] : [])));
  const min = c.product.minGoodImages;
  if (names.length - leave.size < min) {
    throw new Error(
      `${path.join(c.productDir, 'good')}: ${names.length - leave.size} good image(s) left after leaving out ${outliers
        .filter((f) => !f.kept)
        .map((f) => `${f.name} (${f.reason})`)
        .join(', ')}; at least ${min} needed`,
    );
  }
  held = await heldOutWithout(c.engine, held, embs, names, leave, opts);
  const stays = (_: unknown, i: number) => !leave.has(i);
  good.ok = good.ok.filter(stays);
  embs = embs.filter(stays);
  names = names.filter(stays);
  const kept = views.length ? views.filter(stays) : views;
  const { model, scores } = underScoreModel(c, held, grid);
  return { embs, names, held, model, goodScores: scores, views: kept };
}

async function scoreRejects(
  engine: Engine,
  rejects: EmbeddedImages,
  set: unknown,
  scoreOf: ReturnType<typeof productScorer>,
  progress: Progress,
): Promise<number[]> {
  const rejectScores: number[] = [];
  for (const [i, r] of rejects.ok.entries()) {
    rejectScores.push(scoreOf(await engine.score(r.embedding, set)));
    progress('rejects', i + 1, rejects.ok.length);
  }
  return rejectScores;
}

/**
 * The tolerance band: from the product's target rates, or the one the rejects recommend (bandsFrom 'rejects').
 * With rejects, the options they allow are reported either way.
 */
function toleranceBand(
  goodScores: number[],
  rejectScores: number[],
  product: ProductConfig,
  opts: Pick<CalibrateOptions, 'bandsFrom' | 'bootstrap'>,
  productDir: string,
  scoreKind: ToleranceBand['scoreKind'],
): { band: ToleranceBand; rejectOptions: CalibrationReport['rejectOptions'] } {
  const { bandsFrom } = opts;
  const bootstrap = opts.bootstrap ?? 1000;
  let band: ToleranceBand;
  let rejectOptions: CalibrationReport['rejectOptions'];
  if (rejectScores.length > 0) {
    const choice = chooseBandsFromRejects(goodScores, rejectScores, { bootstrap, seed: product.seed });
    rejectOptions = { options: choice.options, chosen: choice.chosen, reason: choice.reason };
    band =
      bandsFrom === 'rejects'
        ? choice.band
        : estimateBands(goodScores, { ...product.tolerance, bootstrap, seed: product.seed });
  } else {
    if (bandsFrom === 'rejects')
      throw new Error(
        `${path.join(productDir, 'reject')}: no readable reject images, so bands cannot be chosen from rejects`,
      );
    band = estimateBands(goodScores, { ...product.tolerance, bootstrap, seed: product.seed });
  }
  band.scoreKind = scoreKind;
  return { band, rejectOptions };
}

/** Everything the calibration report records. */
interface ReportParts {
  productId: string;
  product: ProductConfig;
  scoring: ProductConfig;
  version: number;
  engine: Engine;
  coresetSize: number | undefined;
  bandsFrom: CalibrateOptions['bandsFrom'];
  tuned: TunedChoice | undefined;
  scan: FolderScan;
  good: EmbeddedImages;
  rejects: EmbeddedImages;
  flagged: FlaggedImage[];
  heldOut: { names: string[]; held: HeldOutItems; goodScores: number[] };
  band: ToleranceBand;
  rejectScores: number[];
  rejectOptions: CalibrationReport['rejectOptions'];
  comparison: CalibrationReport['comparison'];
  timings: CalibrationReport['timings'];
}

function calibrationReport(p: ReportParts): CalibrationReport {
  const { product, band, good, rejects, scan, flagged, rejectScores } = p;
  const { names, held, goodScores } = p.heldOut;
  // Good and reject histograms share one range, with the fail limit inside it.
  const lo = Math.min(...goodScores, ...rejectScores);
  const hi = Math.max(...goodScores, ...rejectScores, band.failAt);
  return {
    product: { id: p.productId, name: product.name },
    version: p.version,
    createdAt: new Date().toISOString(),
    modelSha256: p.engine.modelSha256,
    ...(p.engine.partnerModel
      ? { partner: { modelId: p.engine.partnerModel.id, modelSha256: p.engine.partnerModel.sha256 } }
      : {}),
    settings: {
      inputMode: product.inputMode,
      coresetSize: p.coresetSize ?? p.engine.defaultCoresetSize,
      seed: product.seed,
      minGoodImages: product.minGoodImages,
      placedConsistently: product.placedConsistently,
      regions: product.regions.length,
      bandsFrom: p.bandsFrom ?? 'rates',
      scoreTopShare: p.scoring.scoreTopShare,
    },
    ...(p.tuned ? { tuning: p.tuned.summary } : {}),
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
    heldOut: { method: held.method, folds: held.folds, scoreKind: band.scoreKind },
    goodScores: names.map((name, i) => ({ name, score: goodScores[i] })),
    band,
    good: goodRates(goodScores, band),
    histogram: {
      good: histogram(goodScores, { bins: 20, min: lo, max: hi }),
      ...(rejectScores.length ? { reject: histogram(rejectScores, { bins: 20, min: lo, max: hi }) } : {}),
    },
    ...(rejectScores.length
      ? {
          reject: {
            ...rejectRates(rejectScores, band),
            scores: rejects.ok.map((r, i) => ({ name: r.file.name, score: rejectScores[i] })),
          },
        }
      : {}),
    rejectOptions: p.rejectOptions,
    comparison: p.comparison,
    warnings: [
      ...band.warnings,
      ...good.skipped.map((s) => `skipped unreadable good image ${s.name}`),
      ...(scan.duplicates.length ? [`${scan.duplicates.length} duplicate image(s) counted once`] : []),
      ...(flagged.some((f) => !f.kept)
        ? [
            `${flagged.filter((f) => !f.kept).length} good image(s) left out as not belonging (listed in the report; keepImages in product.json keeps one)`,
          ]
        : []),
    ],
    timings: p.timings,
  };
}

/** What the durable steps write. */
interface NewVersion {
  opts: CalibrateOptions;
  version: number;
  engine: Engine;
  /** The reference set built (the file's content before its judging is added). */
  set: unknown;
  tuned: TunedChoice | undefined;
  report: CalibrationReport;
  model: ScoreModel;
  band: ToleranceBand;
  good: EmbeddedImages;
  progress: Progress;
  t0: number;
}

/**
 * Durable steps, in order: file, report, row, activation. A kill before activation leaves the old version active.
 * The file carries the band and score model (format 2); the row indexes it with a summary.
 */
async function writeVersion(v: NewVersion): Promise<CalibrateResult> {
  const { opts, version, engine, report, band, good, progress } = v;
  const { store, productId } = opts;
  progress('write', 0, 3);
  const rel = refsetRelPath(productId, version);
  const file = refsetFile(store.dataDir, rel);
  const judging = { productId, band, scoreModel: v.model };
  await writeFileAtomic(file, engine.serialise(v.set, { tuning: v.tuned?.summary, judging }));
  opts.onStep?.('file');
  progress('write', 1, 3);
  report.timings.totalSeconds = secondsSince(v.t0);
  const text = reportText(report);
  const reportFiles = {
    json: file.replace(/\.refset$/, '.report.json'),
    text: file.replace(/\.refset$/, '.report.txt'),
  };
  await writeFileAtomic(reportFiles.json, JSON.stringify(report, null, 1));
  await writeFileAtomic(reportFiles.text, text);
  opts.onStep?.('report');
  progress('write', 2, 3);
  // The band is the file's (and the report files'); the row keeps only its summary, so it is stored once here.
  const { goodScores: _scores, band: _band, ...storedReport } = report;
  store.db.transaction(() => {
    store.referenceSets.addVersion({
      productId,
      version,
      filePath: rel,
      modelSha256: engine.modelSha256,
      imageCount: good.ok.length,
      format: REFERENCE_SET_FORMAT,
      scoreKind: v.model.kind,
      ...(engine.modelId ? { backboneId: engine.modelId } : {}),
      band: storedBand(band),
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

/**
 * A good image a later review confirmed defective stays out, whatever folder it is found in again (a copy that
 * could not be removed, or put back by hand): a reference set must never learn a confirmed defect as good.
 */
function leaveOutWithdrawn(scan: FolderScan, withdrawn: Map<string, string>): FolderScan {
  const keep = scan.good.filter((g) => !withdrawn.has(g.sha256));
  if (keep.length === scan.good.length) return scan;
  const out = scan.good
    .filter((g) => withdrawn.has(g.sha256))
    .map((g) => ({ name: g.name, reason: `left out: ${withdrawn.get(g.sha256)}` }));
  return { ...scan, good: keep, ignored: [...scan.ignored, ...out] };
}
