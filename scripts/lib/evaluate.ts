/** Evaluate the engine on one category: reference set from train/good, score every test image, compute metrics. */
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { Augmentation } from '../../station/vision/augment.ts';
import { decodeImage } from '../../station/vision/preprocess.ts';
import type { ItemRegion } from '../../station/vision/itemRegion.ts';
import type { Engine } from '../../station/vision/engine.ts';
import { aurocFromGroups, f1Max } from '../../station/vision/metrics.ts';
import { sampleIndices } from '../../station/shared/random.ts';
import type { Category } from './datasets.ts';
import { buildOn, type CoresetThreads } from '../../station/calibrate/coreset/pool.ts';
import { Progress } from './progress.ts';
import { PixelTally, type PixelFigures } from './pixelTally.ts';
import { calibratePairForEval, type VerdictFigures, type VerdictTally } from '../../station/calibrate/evalVerdicts.ts';
import { inspectorForSet, scoredItem, type SetInspection } from '../../station/engines/setInspection.ts';
import type { PatchEmbedding } from '../../station/vision/types.ts';
import { memberScore, type ScoredItem } from '../../station/verdict/scoreModel.ts';

export interface EvalOptions {
  /** Number of train/good images to use (all when undefined). */
  shots?: number;
  seed: number;
  /** Memory bank size after coreset subsampling. */
  bankSize: number;
  /** Long side (pixels) at which pixel-level metrics are computed (maps and masks are resized to it). */
  pixelSide: number;
  /** Calibrate tolerance bands on the train/good embeddings (held out); test images are tallied into verdicts. */
  verdicts?: (embeddings: PatchEmbedding[], names: string[], views?: PatchEmbedding[][]) => Promise<VerdictTally>;
  /** Augmented views of every train image join the reference set (a product's engine.augment). */
  augment?: Augmentation;
  /** Where the items sit (self-tuning learns it): the bench around them is not scored. */
  itemRegion?: ItemRegion | null;
  /** The number judged per image when a product pools its patches (scoreTopShare); the engine's score otherwise. */
  imageScore?: (item: ScoredItem) => number;
  /** Also report image AUROC under these pooled shares (0 = the map's maximum), from the same inspections. */
  poolings?: number[];
  /** Chooses the reference set's bank off the calling thread (see station/calibrate/coreset/pool.ts). */
  coresets?: CoresetThreads;
}

export interface CategoryResult extends PixelFigures {
  dataset: string;
  category: string;
  shots: number;
  imageAuroc: number;
  f1Max: number;
  msPerImage: number;
  trainSeconds: number;
  bankSize: number;
  testImages: number;
  /** Per test image: file (relative to the category), defect type, score; not written to --json. */
  imageScores?: { file: string; type: string; score: number }[];
  /** Image AUROC of each defect type against the good test images (where the misses are). */
  typeAuroc: Record<string, number>;
  /**
   * Image AUROC on two fixed halves of the test set (within each type, files sorted by name: even → tune, odd →
   * report). Settings are chosen on `tune` and checked on `report`, so a sweep does not fit the figures it reports.
   */
  splitAuroc: { tune: number; report: number };
  /** Test images in pass/review/fail under bands calibrated on train/good only. */
  verdicts?: VerdictFigures;
  verdictBand?: ReturnType<VerdictTally['bandSummary']>;
  /** Image AUROC per pooled share asked for in `poolings`. */
  poolAuroc?: Record<string, number>;
  /** Per pooled share asked for in `poolings`, every test image's score in test order; not written to --json. */
  pooledScores?: Record<string, number[]>;
}

/** Image AUROC on the tune and report halves (see CategoryResult.splitAuroc). */
export function splitHalves(rows: { file: string; type: string; score: number }[]): { tune: number; report: number } {
  const halves = {
    tune: { pos: [] as number[], neg: [] as number[] },
    report: { pos: [] as number[], neg: [] as number[] },
  };
  for (const t of new Set(rows.map((r) => r.type))) {
    const of = rows.filter((r) => r.type === t).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    for (const [i, r] of of.entries())
      halves[i % 2 === 0 ? 'tune' : 'report'][t === 'good' ? 'neg' : 'pos'].push(r.score);
  }
  const auroc = (h: { pos: number[]; neg: number[] }) =>
    h.pos.length && h.neg.length ? aurocFromGroups(h.pos, h.neg) : NaN;
  return { tune: auroc(halves.tune), report: auroc(halves.report) };
}

const trainFilesOf = (cat: Category, opts: Pick<EvalOptions, 'shots' | 'seed'>) =>
  opts.shots !== undefined
    ? sampleIndices(cat.train.length, opts.shots, opts.seed).map((i) => cat.train[i])
    : cat.train;

export async function evaluateCategory(engine: Engine, cat: Category, opts: EvalOptions): Promise<CategoryResult> {
  const label = `${cat.dataset}/${cat.category}`;
  const trainFiles = trainFilesOf(cat, opts);
  const ref = await buildReference(engine, cat, trainFiles, opts, label);
  const tally = opts.verdicts
    ? await opts.verdicts(
        ref.embeddings,
        trainFiles.map((f) => relative(cat.dir, f)),
        ref.augmented ? ref.views : undefined,
      )
    : null;
  ref.embeddings.length = 0;
  const inspect: Inspect = (buf, name) => engine.inspect(buf, name, ref.set);
  const t = await scoreTestImages(inspect, cat, tally, opts, label);
  return resultOf(cat, trainFiles, t, { trainSeconds: ref.trainSeconds, bankSize: ref.set.bankSize }, tally, opts);
}

/** A pair's two configurations: each member's bank size and pooling (see station/calibrate/pairEngine.ts). */
export interface PairEvalOptions
  extends Omit<EvalOptions, 'bankSize' | 'verdicts' | 'imageScore' | 'poolings' | 'augment'> {
  bankSizes: [number, number];
  topShares: [number, number];
  augments: [Augmentation, Augmentation];
  /** Progress of the held-out scoring that gives the pair its good scales and bands. */
  onHeldOut?: (done: number, total: number) => void;
}

/**
 * A pair evaluated as its product runs it: both members' reference sets from train/good, the pair's score model and
 * bands from their held-out scores (always: the members' good scales come from them), and every test image inspected
 * through the station's own pair inspection (engines/setInspection.ts), judged combined, its maps blended.
 */
export async function evaluatePair(
  engines: [Engine, Engine],
  cat: Category,
  opts: PairEvalOptions,
): Promise<CategoryResult> {
  const label = `${cat.dataset}/${cat.category}`;
  const trainFiles = trainFilesOf(cat, opts);
  const member = (k: 0 | 1) =>
    buildReference(
      engines[k],
      cat,
      trainFiles,
      { ...opts, bankSize: opts.bankSizes[k], augment: opts.augments[k] },
      label,
    );
  const refs = await Promise.all([member(0), member(1)]);
  const tally = await calibratePairForEval(
    engines,
    [refs[0].embeddings, refs[1].embeddings],
    trainFiles.map((f) => relative(cat.dir, f)),
    {
      seed: opts.seed,
      bankSizes: opts.bankSizes,
      topShares: opts.topShares,
      views: refs[0].augmented || refs[1].augmented ? [refs[0].views, refs[1].views] : undefined,
      itemRegion: opts.itemRegion,
      onProgress: opts.onHeldOut,
      coresets: opts.coresets,
    },
  );
  for (const r of refs) r.embeddings.length = 0;
  const { formatVersion: _f, ...partner } = refs[1].set;
  const set = { ...refs[0].set, partner, judging: { productId: label, band: tally.band, scoreModel: tally.model } };
  const inspector = inspectorForSet(
    { engineForSet: (s) => (s.model.sha256 === set.model.sha256 ? engines[0] : engines[1]) },
    set,
  );
  const inspect: Inspect = async (buf, name) => {
    const t0 = performance.now();
    const img = await decodeImage(buf, name);
    return inspector(img, performance.now() - t0);
  };
  const t = await scoreTestImages(inspect, cat, tally, { ...opts, imageScore: tally.score }, label);
  const trainSeconds = refs[0].trainSeconds + refs[1].trainSeconds + tally.heldOut.seconds;
  return resultOf(cat, trainFiles, t, { trainSeconds, bankSize: set.bankSize + partner.bankSize }, tally, {});
}

type Inspect = (buf: Buffer, name: string) => Promise<SetInspection>;

/** The category's figures from its test images' scores (and its tally of verdicts, if any). */
function resultOf(
  cat: Category,
  trainFiles: string[],
  t: Awaited<ReturnType<typeof scoreTestImages>>,
  ref: { trainSeconds: number; bankSize: number },
  tally: VerdictTally | null,
  opts: Pick<EvalOptions, 'poolings'>,
): CategoryResult {
  const { scores, labels } = t;
  const byLabel = (xs: number[]) => [xs.filter((_, i) => labels[i]), xs.filter((_, i) => !labels[i])] as const;
  return {
    dataset: cat.dataset,
    category: cat.category,
    shots: trainFiles.length,
    imageAuroc: aurocFromGroups(...byLabel(scores)),
    ...t.pixels.figures(cat.test.filter((x) => x.defective).length),
    f1Max: f1Max(scores, labels).f1,
    msPerImage: t.inspectMs / cat.test.length,
    trainSeconds: ref.trainSeconds,
    bankSize: ref.bankSize,
    testImages: cat.test.length,
    imageScores: t.imageScores,
    typeAuroc: Object.fromEntries(
      [...new Set(t.types)]
        .filter((x) => x !== 'good')
        .map((x) => [
          x,
          aurocFromGroups(
            scores.filter((_, i) => t.types[i] === x),
            scores.filter((_, i) => !labels[i]),
          ),
        ]),
    ),
    splitAuroc: splitHalves(t.imageScores),
    ...(opts.poolings
      ? {
          poolAuroc: Object.fromEntries(
            opts.poolings.map((share, k) => [String(share), aurocFromGroups(...byLabel(t.pooled[k]))]),
          ),
          pooledScores: Object.fromEntries(opts.poolings.map((share, k) => [String(share), t.pooled[k]])),
        }
      : {}),
    ...(tally ? { verdicts: tally.verdicts(), verdictBand: tally.bandSummary() } : {}),
  };
}

/** The reference set from the train images (and their augmented views, if any), timed; the embeddings stay for verdicts. */
async function buildReference(engine: Engine, cat: Category, trainFiles: string[], opts: EvalOptions, label: string) {
  const t0 = performance.now();
  const bar = new Progress(`${label} reference`, trainFiles.length);
  const embeddings = [];
  const views: PatchEmbedding[][] = [];
  for (const [i, f] of trainFiles.entries()) {
    const img = await decodeImage(readFileSync(f), f);
    embeddings.push(await engine.embed(await engine.preprocess(img)));
    views.push(await engine.embedViews(img, opts.augment ?? 'none'));
    bar.tick(i + 1);
  }
  bar.done();
  const augmented = views.some((v) => v.length > 0);
  const set = await buildOn(
    opts.coresets,
    engine,
    embeddings,
    trainFiles.map((f) => relative(cat.dir, f)),
    { coresetSize: opts.bankSize, seed: opts.seed, views: augmented ? views : undefined, itemRegion: opts.itemRegion },
  );
  return { set, embeddings, views, augmented, trainSeconds: (performance.now() - t0) / 1000 };
}

/** Per-image and per-pixel scores of every test image (inspection time measured from the file's bytes). */
async function scoreTestImages(
  inspect: Inspect,
  cat: Category,
  tally: VerdictTally | null,
  opts: Pick<EvalOptions, 'poolings' | 'imageScore' | 'pixelSide'>,
  label: string,
) {
  const scores: number[] = [];
  const labels: number[] = [];
  const types: string[] = [];
  const imageScores: NonNullable<CategoryResult['imageScores']> = [];
  const pixels = new PixelTally(opts.pixelSide);
  const pooled = (opts.poolings ?? []).map(() => [] as number[]);
  let inspectMs = 0;
  const tbar = new Progress(`${label} test`, cat.test.length);
  for (const [i, t] of cat.test.entries()) {
    const buf = readFileSync(t.file);
    const s0 = performance.now();
    const r = await inspect(buf, t.file);
    inspectMs += performance.now() - s0;
    const item = scoredItem(r);
    tally?.add(t.defective, item);
    const score = opts.imageScore ? opts.imageScore(item) : r.score;
    scores.push(score);
    for (const [k, share] of (opts.poolings ?? []).entries()) pooled[k].push(memberScore(item, share));
    labels.push(t.defective ? 1 : 0);
    types.push(t.type);
    imageScores.push({ file: relative(cat.dir, t.file), type: t.type, score });
    const g = r.embedding.geometry;
    await pixels.add(r.anomalyMap, { width: g.sourceWidth, height: g.sourceHeight }, t, buf);
    tbar.tick(i + 1, `${(inspectMs / (i + 1)).toFixed(1)} ms/img ${basename(t.file)}`);
  }
  tbar.done();
  return { scores, labels, types, imageScores, pixels, pooled, inspectMs };
}
