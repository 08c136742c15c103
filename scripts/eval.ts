/**
 * npm run eval -- <root> [--shots N] [--seed S] [--json out.json]
 *
 * <root> is a category folder (MVTec AD layout: train/good, test/<type>, ground_truth/<type>/<name>_mask.png),
 * a folder of categories, or a folder of datasets of categories. For each category: build a reference set from
 * train/good (all images, or N chosen by seed), score every test image, report image AUROC, pixel AUROC (where
 * masks exist), best F1, ms per image (decode → score) and reference-set build seconds.
 * --scores <file.csv> writes every test image's score. Tuning flags (defaults are the station's): --model <manifest.json> --size --resize --taps a,b --dim --bank
 * --sigma --pool --reduction --tap-norm --photometric --margin.
 * Verdicts: tolerance bands are calibrated on train/good only (held-out k-fold scores, station/calibrate/evalVerdicts.ts)
 * and each category gains "verdicts": {good: {pass, review, fail}, defect: {…}}; --no-verdicts skips that (faster).
 * --placed-consistently judges per-location normalised scores, as a product with `placedConsistently: true` does.
 * --score-top-share F judges the mean of each image's most deviating share F of patches (a product's scoreTopShare);
 * image AUROC and verdicts then use that number.
 *
 * Self-tuned (the default): each category chooses its configuration from train/good alone (station/calibrate/tune),
 * as a product's calibration does; --model, --size, --aspect square|native, --augment, --pose none|level and --score-top-share pin a
 * dimension instead of searching it; --budget-ms sets the latency budget (60). Every configuration tried is also
 * scored on the test images and the selection regret printed, and so is every pair of candidates on two backbones that
 * fits the budget together, combined (station/calibrate/tune/combine.ts), to measure combining against choosing;
 * --no-regret skips that. A category whose choice is a pair runs the pair, as its product would: both members'
 * reference sets, bands from their held-out scores (always, --no-verdicts or not: the members' good scales come from
 * them), every test image inspected by both; its JSON "config" carries the second member as "partner". --fixed runs the single
 * configuration given by the flags (today's defaults when none), as before self-tuning.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_BACKBONE, generatedManifestPath, loadBackbone } from '../models/load.ts';
import type { JudgedCounts } from '../station/verdict/judge.ts';
import { createEngine } from '../station/vision/engine.ts';
import type { EngineSettings } from '../station/vision/settings.ts';
import type { ResizeMode } from '../station/vision/types.ts';
import { discoverCategories } from './lib/datasets.ts';
import { evaluateCategory, type CategoryResult } from './lib/evaluate.ts';
import { Progress } from './lib/progress.ts';
import { calibrateForEval } from '../station/calibrate/evalVerdicts.ts';
import { isTopShare, MAX_TOP_SHARE } from '../station/verdict/pool.ts';
import { productScorer } from '../station/verdict/scoreModel.ts';
import { readManifest } from '../models/manifest-file.ts';
import { AUGMENTATIONS, isAugmentation } from '../station/vision/augment.ts';
import { isPoseMode } from '../station/vision/pose.ts';
import { defaultSpace, type Pins } from '../station/calibrate/tune/candidates.ts';
import { DEFAULT_LATENCY_BUDGET_MS } from '../station/calibrate/tune/budget.ts';
import { BACKBONE_POOL } from '../station/engines/pool.ts';
import { evaluateSelfTuned, type SelfTunedResult } from './lib/selfTune.ts';
import { printSelfTuned } from './lib/printSelfTuned.ts';
import { pixelText } from './lib/pixelTally.ts';

const USAGE = 'usage: npm run eval -- <root> [--shots N] [--seed S] [--json out.json]';

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
  return n;
}

const parseEvalArgs = () =>
  parseArgs({
    allowPositionals: true,
    options: {
      shots: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'string' },
      model: { type: 'string' },
      size: { type: 'string' },
      resize: { type: 'string' },
      taps: { type: 'string' },
      dim: { type: 'string' },
      bank: { type: 'string' },
      sigma: { type: 'string' },
      pool: { type: 'string' },
      reduction: { type: 'string' },
      'tap-norm': { type: 'string' },
      'pixel-side': { type: 'string' },
      help: { type: 'boolean' },
      'no-verdicts': { type: 'boolean' },
      'placed-consistently': { type: 'boolean' },
      photometric: { type: 'string' },
      pose: { type: 'string' },
      margin: { type: 'string' },
      scores: { type: 'string' },
      'score-top-share': { type: 'string' },
      fixed: { type: 'boolean' },
      'no-regret': { type: 'boolean' },
      'budget-ms': { type: 'string' },
      aspect: { type: 'string' },
      augment: { type: 'string' },
    },
  });

type EvalArgs = ReturnType<typeof parseEvalArgs>['values'];

/** Engine settings the flags override (the rest are the station's defaults). */
function engineOverrides(values: EvalArgs): Partial<EngineSettings> {
  const overrides: Partial<EngineSettings> = {};
  if (values.size) overrides.size = int('size', values.size);
  if (values.resize) overrides.resize = values.resize as ResizeMode;
  if (values.taps) overrides.taps = values.taps.split(',');
  if (values.dim) overrides.dim = int('dim', values.dim);
  if (values.pool) overrides.poolSize = int('pool', values.pool);
  if (values.sigma) overrides.sigma = Number(values.sigma);
  if (values.reduction) overrides.reduction = values.reduction as EngineSettings['reduction'];
  if (values.margin) overrides.margin = int('margin', values.margin);
  if (values.photometric) overrides.photometric = values.photometric as EngineSettings['photometric'];
  if (values['tap-norm']) overrides.tapNorm = values['tap-norm'] as EngineSettings['tapNorm'];
  return overrides;
}

async function main(): Promise<void> {
  const { values, positionals } = parseEvalArgs();
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const shots = int('shots', values.shots);
  if (shots === 0) throw new Error('--shots must be at least 1');
  const seed = int('seed', values.seed) ?? 0;
  const overrides = engineOverrides(values);
  const bankSize = int('bank', values.bank) ?? 10_000;
  const topShare = values['score-top-share'] === undefined ? 0 : Number(values['score-top-share']);
  if (!isTopShare(topShare))
    throw new Error(
      `--score-top-share must be a number from 0 to ${MAX_TOP_SHARE}, got "${values['score-top-share']}"`,
    );

  const categories = discoverCategories(positionals[0]);
  if (!values.fixed) {
    await selfTuned(categories, values, {
      overrides,
      bankSize,
      seed,
      shots,
      topShare: values['score-top-share'] === undefined ? undefined : topShare,
    });
    return;
  }
  await fixedConfiguration(categories, values, { overrides, bankSize, seed, shots, topShare });
}

/** --fixed: one configuration (the flags', else today's defaults) for every category, as before self-tuning. */
async function fixedConfiguration(
  categories: ReturnType<typeof discoverCategories>,
  values: EvalArgs,
  o: { overrides: Partial<EngineSettings>; bankSize: number; seed: number; shots?: number; topShare: number },
): Promise<void> {
  const { bankSize, seed, shots, topShare } = o;
  const imageScore = topShare > 0 ? productScorer({ kind: 'top', topShare }) : undefined;
  const backbone = await loadBackbone(values.model ?? generatedManifestPath(DEFAULT_BACKBONE));
  const engine = createEngine(backbone, o.overrides);
  const s = engine.settings;
  console.log(
    `model ${backbone.manifest.id}; input ${s.size} (${s.resize}); taps ${s.taps.join(',')}; dim ${s.dim}; bank ≤${bankSize}; seed ${seed}`,
  );
  const results: CategoryResult[] = [];
  for (const cat of categories) {
    // Tolerance bands calibrated on train/good only (held out), as a product's calibration does.
    const verdicts = values['no-verdicts']
      ? undefined
      : async (embs: Parameters<typeof calibrateForEval>[1], names: string[]) => {
          const bar = new Progress(`${cat.dataset}/${cat.category} bands (held out)`, embs.length);
          const tally = await calibrateForEval(engine, embs, names, {
            seed,
            bankSize,
            placedConsistently: values['placed-consistently'],
            scoreTopShare: topShare,
            onProgress: (d) => bar.tick(d),
          });
          bar.done();
          return tally;
        };
    const r = await evaluateCategory(engine, cat, {
      shots,
      seed,
      bankSize,
      pixelSide: int('pixel-side', values['pixel-side']) ?? 256,
      verdicts,
      imageScore,
    });
    results.push(r);
    printCategory(r);
  }
  if (values.scores) writeScores(values.scores, results);
  if (values.json) {
    const categories = results.map(withoutPerImage);
    writeFileSync(
      values.json,
      `${JSON.stringify({ model: backbone.manifest.id, settings: { ...s, bankSize, seed, placedConsistently: values['placed-consistently'] ?? false, scoreTopShare: topShare }, categories }, null, 2)}\n`,
    );
    console.log(`wrote ${values.json}`);
  }
  await engine.release();
  await backbone.session.release();
}

function printCategory(r: CategoryResult): void {
  console.log(
    `${r.dataset}/${r.category}: shots ${r.shots}, image AUROC ${r.imageAuroc.toFixed(4)}, ` +
      `${pixelText(r)}, F1-max ${r.f1Max.toFixed(4)}, ` +
      `${r.msPerImage.toFixed(1)} ms/image, train ${r.trainSeconds.toFixed(1)} s, bank ${r.bankSize}`,
  );
  console.log(
    `  image AUROC on the tune / report halves of the test set: ${r.splitAuroc.tune.toFixed(4)} / ${r.splitAuroc.report.toFixed(4)}`,
  );
  console.log(
    `  image AUROC by defect type: ${Object.entries(r.typeAuroc)
      .map(([t, a]) => `${t} ${a.toFixed(3)}`)
      .join(', ')}`,
  );
  if (r.verdicts && r.verdictBand) {
    const f = (c: JudgedCounts) => `pass ${c.pass} / review ${c.review} / fail ${c.fail}`;
    console.log(
      `  verdicts (bands from train/good, ${r.verdictBand.heldOut}): good ${f(r.verdicts.good)}; defect ${f(r.verdicts.defect)}`,
    );
  }
}

/** A category's figures for --json: the per-image scores stay out (--scores writes those). */
function withoutPerImage<T extends CategoryResult>({ imageScores: _s, pooledScores: _p, ...r }: T) {
  return r;
}

function writeScores(file: string, results: CategoryResult[]): void {
  const rows = results.flatMap((r) =>
    (r.imageScores ?? []).map((i) => `${r.dataset},${r.category},${i.file},${i.type},${i.score}`),
  );
  writeFileSync(file, `dataset,category,file,type,score\n${rows.join('\n')}\n`);
}

async function selfTuned(
  categories: ReturnType<typeof discoverCategories>,
  values: Record<string, string | boolean | undefined>,
  o: { overrides: Partial<EngineSettings>; bankSize: number; seed: number; shots?: number; topShare?: number },
): Promise<void> {
  const manifests = Object.fromEntries(BACKBONE_POOL.map((id) => [id, generatedManifestPath(id)]));
  const pins: Pins = {};
  if (typeof values.model === 'string') {
    const id = readManifest(values.model).id;
    manifests[id] = values.model;
    pins.backbone = id;
  }
  if (o.overrides.size !== undefined) pins.size = o.overrides.size;
  if (values.aspect !== undefined) {
    if (values.aspect !== 'square' && values.aspect !== 'native')
      throw new Error(`--aspect must be square or native, got "${values.aspect}"`);
    pins.aspect = values.aspect;
  }
  if (values.augment !== undefined) {
    if (!isAugmentation(values.augment))
      throw new Error(`--augment must be one of ${AUGMENTATIONS.join(', ')}, got "${values.augment}"`);
    pins.augment = values.augment;
  }
  if (values.pose !== undefined) {
    if (!isPoseMode(values.pose)) throw new Error(`--pose must be none or level, got "${values.pose}"`);
    pins.pose = values.pose;
  }
  if (o.topShare !== undefined) pins.topShare = o.topShare;
  const { size: _size, taps: _taps, ...base } = o.overrides;
  const budgetMs = values['budget-ms'] === undefined ? DEFAULT_LATENCY_BUDGET_MS : Number(values['budget-ms']);
  if (!(budgetMs > 0)) throw new Error(`--budget-ms must be a positive number, got "${values['budget-ms']}"`);
  const space = defaultSpace(Object.keys(manifests));
  console.log(
    `self-tuned: pool ${Object.keys(manifests).join(', ')}; sizes ${space.sizes.join('/')}; aspects ${space.aspects.join('/')}; pooling ${space.topShares.join('/')}; budget ${budgetMs} ms; bank ≤${o.bankSize}; seed ${o.seed}`,
  );
  const results: SelfTunedResult[] = [];
  for (const cat of categories) {
    const r = await evaluateSelfTuned(cat, {
      manifests,
      space,
      pins,
      base,
      budgetMs,
      shots: o.shots,
      seed: o.seed,
      bankSize: o.bankSize,
      pixelSide: int('pixel-side', values['pixel-side'] as string | undefined) ?? 256,
      regret: !values['no-regret'],
      verdicts: !values['no-verdicts'],
      placedConsistently: values['placed-consistently'] === true,
    });
    results.push(r);
    printSelfTuned(r);
  }
  if (typeof values.scores === 'string') writeScores(values.scores, results);
  if (typeof values.json === 'string') {
    const out = results.map(withoutPerImage);
    writeFileSync(
      values.json,
      `${JSON.stringify({ mode: 'self-tuned', settings: { bankSize: o.bankSize, seed: o.seed, budgetMs, pins }, categories: out }, null, 2)}\n`,
    );
    console.log(`wrote ${values.json}`);
  }
}

main().catch((err) => {
  console.error(`eval: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
