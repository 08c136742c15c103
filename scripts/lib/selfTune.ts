/**
 * Eval's self-tuned path: each category chooses its configuration from train/good alone, exactly as
 * `npm run calibrate` would for a product, then is evaluated with it. With `regret`, every engine configuration
 * the search tried is also scored on the test images (for the report only) so the choice can be measured.
 */
import { sharedCoresetPool } from '../../station/calibrate/coreset/pool.ts';
import { eachAtOnce } from './eachAtOnce.ts';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { calibrateForEval } from '../../station/calibrate/evalVerdicts.ts';
import { PRODUCT_DEFAULTS } from '../../station/products/productConfig.ts';
import {
  candidateLabel,
  engineKey,
  pairMemberBank,
  type Candidate,
  type Pins,
  type SearchSpace,
} from '../../station/calibrate/tune/candidates.ts';
import {
  medianAspect,
  medianLongSide,
  searchSubset,
  tuneProduct,
  type TuneResult,
} from '../../station/calibrate/tune/index.ts';
import { engineChoiceFor } from '../../station/calibrate/tune/productTuner.ts';
import { pairReason, type Combination } from '../../station/calibrate/tune/combine.ts';
import type { EngineChoice } from '../../station/calibrate/engine.ts';
import { combineScores } from '../../station/verdict/combine.ts';
import { auroc } from '../../station/vision/metrics.ts';
import { enginePool, type EnginePool } from '../../station/engines/pool.ts';
import { regionCover } from '../../station/vision/itemRegion.ts';
import { decodeImage } from '../../station/vision/preprocess.ts';
import { sampleIndices } from '../../station/shared/random.ts';
import type { EngineSettings } from '../../station/vision/settings.ts';
import { productScorer } from '../../station/verdict/scoreModel.ts';
import type { Category } from './datasets.ts';
import { evaluateCategory, evaluatePair, type CategoryResult } from './evaluate.ts';
import { Progress } from './progress.ts';

export interface SelfTuneEvalOptions {
  /** Backbone id → manifest path, cheapest first: the pool the categories choose from. */
  manifests: Record<string, string>;
  space: SearchSpace;
  pins: Pins;
  base: Partial<EngineSettings>;
  budgetMs: number;
  shots?: number;
  seed: number;
  bankSize: number;
  pixelSide: number;
  regret: boolean;
  verdicts: boolean;
  placedConsistently?: boolean;
}

export interface CandidateOnTest {
  label: string;
  candidate: Candidate;
  /** NaN (null in the JSON) when the cost model put it over the budget, so the search did not score it. */
  separation: number;
  /** What the budget was judged on (the backbone's cost model, else measuredMs). */
  latencyMs: number;
  /** Of which the kNN search (a pair's members run on half banks: see combine.ts). */
  knnMs: number;
  measuredMs: number;
  testAuroc: number | null;
}

/** Two candidates combined (station/calibrate/tune/combine.ts), measured beside the single choice. */
export interface CombinationOnTest {
  label: string;
  separation: number;
  latencyMs: number;
  testAuroc: number | null;
}

/** One configuration as the category runs it. */
export interface EvalConfig {
  backbone: string;
  size: number;
  aspect: number;
  augment: string;
  scoreTopShare: number;
  bankSize: number;
}

export interface SelfTunedResult extends CategoryResult {
  /** What the category runs: one configuration, or a pair's first member with its `partner`. */
  config: EvalConfig & { label: string; reason: string; partner?: EvalConfig };
  selection: {
    nativeAspect: number;
    itemRegionCover: number | null;
    searchImages: number;
    syntheticDefects: number;
    seconds: number;
    candidates: CandidateOnTest[];
    regret: number | null;
    /** Pairs within the budget, best separation first (test AUROC with regret only, on the search's good scales). */
    combinations: CombinationOnTest[];
    /** The pair the category runs (combine.ts pairChoice); null: the single choice runs. */
    pairChoice: CombinationOnTest | null;
  };
}

/**
 * Every pair within the budget with its separation and, where its members were measured, its test AUROC; and the
 * pair the choosing rule with pairs among the candidates runs instead of the chosen single (pairChoice), if any.
 */
function pairsOnTest(
  tuned: TuneResult,
  testScores: Map<string, Record<string, number[]>>,
  cat: Category,
): Pick<SelfTunedResult['selection'], 'combinations' | 'pairChoice'> {
  const defective = cat.test.map((t) => t.defective);
  const onTest = (k: Combination): CombinationOnTest => ({
    label: k.label,
    separation: k.separation,
    latencyMs: k.latencyMs,
    testAuroc: combinedTestAuroc(k, testScores, defective),
  });
  return { combinations: tuned.combinations.map(onTest), pairChoice: tuned.pair ? onTest(tuned.pair) : null };
}

/** The pair's test AUROC from its members' test scores, each on the scale its separation used (Combination.scales). */
function combinedTestAuroc(
  k: Combination,
  testScores: Map<string, Record<string, number[]>>,
  defective: boolean[],
): number | null {
  const scores = k.members.map((m) => testScores.get(engineKey(m.candidate))?.[String(m.candidate.topShare)]);
  if (!scores[0] || !scores[1]) return null;
  const combined = combineScores([
    { scores: scores[0], scale: k.scales[0] },
    { scores: scores[1], scale: k.scales[1] },
  ]);
  return auroc(
    combined,
    defective.map((d) => (d ? 1 : 0)),
  );
}

type EvalEmbeddings = Parameters<typeof calibrateForEval>[1];

/** The chosen configuration's verdict bands from train/good alone (held out), as its product's calibration makes them. */
function heldOutBands(
  engine: Parameters<typeof calibrateForEval>[0],
  label: string,
  bankSize: number,
  chosen: Candidate,
  tuned: TuneResult,
  opts: SelfTuneEvalOptions,
) {
  return async (embs: EvalEmbeddings, names: string[], views?: EvalEmbeddings[]) => {
    const vb = new Progress(`${label} bands (held out)`, embs.length);
    const tally = await calibrateForEval(engine, embs, names, {
      seed: opts.seed,
      bankSize,
      placedConsistently: opts.placedConsistently,
      scoreTopShare: chosen.topShare,
      views,
      itemRegion: tuned.itemRegion,
      onProgress: (d) => vb.tick(d),
      coresets: sharedCoresetPool(),
    });
    vb.done();
    return tally;
  };
}

/**
 * What the category runs, measured on the test images (its figures, verdicts included), and with `regret` every
 * engine configuration the search tried (image AUROC per pooling, and the pooled scores pairs are combined from).
 */
async function measureOnTest(
  cat: Category,
  tuned: TuneResult,
  opts: SelfTuneEvalOptions,
  choiceOf: (c: Candidate) => EngineChoice,
  engines: EnginePool,
  label: string,
) {
  const chosen = tuned.choice.chosen.candidate;
  const pair = tuned.pair;
  const shares = [...new Set(tuned.rows.map((r) => r.candidate.topShare))];
  const testAuroc = new Map<string, Record<string, number>>();
  const testScores = new Map<string, Record<string, number[]>>();
  let result: CategoryResult | undefined;
  const keys = opts.regret
    ? [...new Set(tuned.rows.map((r) => engineKey(r.candidate)))]
    : pair
      ? []
      : [engineKey(chosen)];
  // Two configurations at a time: one's bank is chosen on a worker thread while the other embeds or inspects.
  const coresets = sharedCoresetPool();
  await eachAtOnce(keys, coresets.size, async (key) => {
    const c = key === engineKey(chosen) ? chosen : tuned.rows.find((r) => engineKey(r.candidate) === key)!.candidate;
    const tc = performance.now();
    const engine = await engines.loadEngine(choiceOf(c));
    const isChosen = !pair && key === engineKey(chosen);
    const bankSize = choiceOf(c).coresetSize!;
    const verdicts = isChosen && opts.verdicts ? heldOutBands(engine, label, bankSize, chosen, tuned, opts) : undefined;
    const r = await evaluateCategory(engine, cat, {
      shots: opts.shots,
      seed: opts.seed,
      bankSize,
      augment: c.augment,
      itemRegion: tuned.itemRegion,
      pixelSide: opts.pixelSide,
      verdicts,
      poolings: shares,
      imageScore:
        isChosen && chosen.topShare > 0 ? productScorer({ kind: 'top', topShare: chosen.topShare }) : undefined,
      coresets,
    });
    testAuroc.set(key, r.poolAuroc ?? {});
    testScores.set(key, r.pooledScores ?? {});
    console.log(
      `  ${label}: ${key} measured in ${((performance.now() - tc) / 1000).toFixed(0)} s (train ${r.trainSeconds.toFixed(0)} s)`,
    );
    if (isChosen) result = r;
  });
  if (pair) {
    const [a, b] = pair.members.map((m) => m.candidate);
    const tc = performance.now();
    let bar: Progress | undefined;
    result = await evaluatePair([await engines.loadEngine(choiceOf(a)), await engines.loadEngine(choiceOf(b))], cat, {
      shots: opts.shots,
      seed: opts.seed,
      bankSizes: [pairMemberBank(choiceOf(a).coresetSize!), pairMemberBank(choiceOf(b).coresetSize!)],
      topShares: [a.topShare, b.topShare],
      augments: [a.augment, b.augment],
      itemRegion: tuned.itemRegion,
      pixelSide: opts.pixelSide,
      coresets,
      onHeldOut: (d, n) => {
        bar ??= new Progress(`${label} pair held out`, n);
        bar.tick(d);
      },
    });
    bar?.done();
    console.log(`  ${label}: ${pair.label} measured in ${((performance.now() - tc) / 1000).toFixed(0)} s`);
  }
  return { result: result!, testAuroc, testScores };
}

export async function evaluateSelfTuned(cat: Category, opts: SelfTuneEvalOptions): Promise<SelfTunedResult> {
  const label = `${cat.dataset}/${cat.category}`;
  const train =
    opts.shots !== undefined
      ? sampleIndices(cat.train.length, opts.shots, opts.seed).map((i) => cat.train[i])
      : cat.train;
  const t0 = performance.now();
  const pickIdx = new Set(searchSubset(train.length, { seed: opts.seed }));
  const sizes: { width: number; height: number }[] = [];
  const pick = [];
  for (const [i, f] of train.entries()) {
    const img = await decodeImage(readFileSync(f), relative(cat.dir, f));
    sizes.push({ width: img.width, height: img.height });
    if (pickIdx.has(i)) pick.push(img);
  }
  const nativeAspect = medianAspect(sizes);
  // The station's own backbone pool and engine choice, as a product's calibration uses them.
  const engines = await enginePool(Object.values(opts.manifests)[0], opts.base, opts.manifests);
  const category = { inputMode: opts.base.resize ?? PRODUCT_DEFAULTS.inputMode, coresetSize: opts.bankSize, roi: null };
  const choiceOf = (c: Candidate) => engineChoiceFor(c, category, nativeAspect, opts.bankSize);
  try {
    let bar: Progress | undefined;
    const tuned: TuneResult = await tuneProduct(pick, [], nativeAspect, (c) => engines.loadEngine(choiceOf(c)), {
      space: opts.space,
      pins: opts.pins,
      budgetMs: opts.budgetMs,
      seed: opts.seed,
      coresetSize: opts.bankSize,
      longSide: medianLongSide(sizes),
      coresets: sharedCoresetPool(),
      onProgress: (d, n, what) => {
        bar ??= new Progress(`${label} self-tuning`, n);
        bar.tick(d, what);
      },
    });
    bar?.done();
    const seconds = (performance.now() - t0) / 1000;
    const runs = tuned.pair ? tuned.pair.label : candidateLabel(tuned.choice.chosen.candidate);
    console.log(
      `  ${label}: chose ${runs} in ${seconds.toFixed(0)} s; measuring ${opts.regret ? 'every engine configuration' : 'it'} on the test images`,
    );
    const measured = await measureOnTest(cat, tuned, opts, choiceOf, engines, label);
    const chosen = tuned.choice.chosen.candidate;
    const candidates: CandidateOnTest[] = tuned.rows.map((r) => ({
      label: candidateLabel(r.candidate),
      candidate: r.candidate,
      separation: r.separation,
      latencyMs: r.latencyMs,
      knnMs: r.knnMs,
      measuredMs: r.measuredMs,
      testAuroc: measured.testAuroc.get(engineKey(r.candidate))?.[String(r.candidate.topShare)] ?? null,
    }));
    const pairs = pairsOnTest(tuned, measured.testScores, cat);
    // Regret: the best that was measured (a single candidate, or a pair on its search scales) against what runs.
    const best = [
      ...candidates.filter((c) => c.latencyMs <= opts.budgetMs).map((c) => c.testAuroc),
      ...pairs.combinations.map((k) => k.testAuroc),
    ].filter((x): x is number => x !== null);
    const result = measured.result;
    const regret = opts.regret && best.length ? Math.max(...best) - result.imageAuroc : null;
    const pair = tuned.pair;
    const configOf = (c: Candidate): EvalConfig => ({
      backbone: c.backbone,
      size: c.size,
      aspect: choiceOf(c).settings?.aspect ?? 1,
      augment: c.augment,
      scoreTopShare: c.topShare,
      bankSize: pair ? pairMemberBank(choiceOf(c).coresetSize!) : choiceOf(c).coresetSize!,
    });
    return {
      ...result,
      config: pair
        ? {
            ...configOf(pair.members[0].candidate),
            label: pair.label,
            reason: pairReason(tuned.rows, pair, tuned.choiceOptions),
            partner: configOf(pair.members[1].candidate),
          }
        : { ...configOf(chosen), label: candidateLabel(chosen), reason: tuned.choice.reason },
      selection: {
        nativeAspect,
        itemRegionCover: tuned.itemRegion ? regionCover(tuned.itemRegion) : null,
        searchImages: tuned.searchImages,
        syntheticDefects: tuned.syntheticDefects,
        seconds,
        candidates,
        regret,
        ...pairs,
      },
    };
  } finally {
    await engines.close();
  }
}
