/**
 * The self-tuning search: every candidate configuration is judged on the product's own images only — held-out
 * good items (k-fold: each scored against a bank that lacks it), synthetic defects drawn on those held-out items,
 * and reject/ images when the product has them. Candidates sharing an engine share its embeddings; pooling
 * variants are computed from the same patch scores.
 */
import { buildOn, type CoresetThreads } from '../coreset/pool.ts';
import { banksInTurn, planFolds } from '../kfold.ts';
import { memberScore } from '../../verdict/scoreModel.ts';
import type { Engine } from '../../vision/engine.ts';
import { aurocFromGroups, percentile } from '../../vision/metrics.ts';
import type { ReferenceSet } from '../../vision/referenceSet.ts';
import { scoredCells, type ItemRegion } from '../../vision/itemRegion.ts';
import type { DecodedImage, PatchEmbedding } from '../../vision/types.ts';
import { engineKey, type Candidate } from './candidates.ts';
import { knnMs, LEVEL_MS_PER_PHOTO_MEGAPIXEL, predictCaptureMs } from './cost.ts';
import { timeInspections } from './timing.ts';

export interface SearchImages {
  goods: DecodedImage[];
  /** Synthetic defects, each drawn on goods[source]. */
  synthetic: { source: number; image: DecodedImage; kind: string }[];
  rejects: DecodedImage[];
}

export interface CandidateFigures {
  candidate: Candidate;
  /** AUROC of synthetic defects (and rejects, weighted double) against held-out good items. */
  separation: number;
  synthetic: number;
  rejects: number | null;
  /** Share of synthetic defects above the held-out goods' 90th percentile, type 7 as the bands take it (what a 10 % review band would catch). */
  caught: number;
  /** Capture-to-score the budget is judged on, ms: the backbone's cost model plus the kNN search (see cost.ts), else measuredMs. */
  latencyMs: number;
  /** Of which the kNN search at the candidate's bank, predicted (what a pair's halved banks save, see combine.ts). */
  knnMs: number;
  /** Fastest of 5 preprocess + embed + score runs of one item, ms, timed during the search (reported beside it). */
  measuredMs: number;
  latencyFrom: 'cost model' | 'measured';
  /** Separation per synthetic defect kind. */
  byKind: Record<string, number>;
  /**
   * False: the cost model put it over the latency budget, so it was not searched (it could not be chosen); its
   * separations and timing are NaN and its scores empty.
   */
  searched: boolean;
  /** The pooled scores behind these figures, in image order (what combining candidates works from). */
  scores: { good: number[]; synthetic: number[]; rejects: number[] };
}

/** Synthetic defects' and rejects' AUROC against the held-out goods; rejects weigh double, as real defects. */
export function separationOf(synthetic: number[], rejects: number[], good: number[]) {
  const synth = synthetic.length ? aurocFromGroups(synthetic, good) : NaN;
  const rej = rejects.length ? aurocFromGroups(rejects, good) : null;
  const separation = rej === null ? synth : synthetic.length ? (synth + 2 * rej) / 3 : rej;
  return { separation, synthetic: synth, rejects: rej };
}

export interface SearchOptions {
  folds: number;
  seed: number;
  /** The bank size each candidate runs with (see bankFor). */
  bankSize: (c: Candidate) => number;
  /** Where the items can be: the bench around them is not scored (see vision/itemRegion.ts). */
  itemRegion?: ItemRegion | null;
  /** Candidates the cost model puts over this are not searched (no budget: all are). */
  budgetMs?: number;
  /** Chooses banks off the calling thread, `size` at once (see coreset/pool.ts); absent: one at a time, here. */
  coresets?: CoresetThreads;
  onProgress?: (done: number, total: number, what: string) => void;
}

/** Engines are made by the caller (it owns the backbones); the search releases nothing. */
export type EngineFor = (c: Candidate) => Promise<Engine>;

interface Scored {
  score: number;
  patchScores: Float32Array;
  contentMask: Uint8Array;
}

/** Predicted cost of one item under an engine and bank (see predictedCost); null: its backbone has no cost model. */
type Prediction = { latencyMs: number; knnMs: number } | null;

/** Score every held-out good, synthetic and reject image under one engine configuration. */
async function scoreEngine(
  engine: Engine,
  c: Candidate,
  images: SearchImages,
  opts: SearchOptions,
  predicted: Prediction,
  tick: () => void,
) {
  const coresetSize = opts.bankSize(c);
  const embed = async (img: DecodedImage): Promise<PatchEmbedding> => engine.embed(await engine.preprocess(img));
  const goodEmb: PatchEmbedding[] = [];
  const views: PatchEmbedding[][] = [];
  for (const g of images.goods) {
    goodEmb.push(await embed(g));
    views.push(await engine.embedViews(g, c.augment));
    tick();
  }
  const { folds, assignment } = planFolds(images.goods.length, {
    folds: Math.min(opts.folds, images.goods.length),
    seed: opts.seed,
  });
  const good = new Array<Scored>(images.goods.length);
  const synthetic = new Array<Scored>(images.synthetic.length);
  const rejects = new Array<Scored>(images.rejects.length);
  const score = async (e: PatchEmbedding, set: ReferenceSet): Promise<Scored> => {
    const r = await engine.score(e, set);
    return { score: r.score, patchScores: r.patchScores, contentMask: r.scoredMask };
  };
  const bankOf = (f: number) => {
    const members = images.goods.map((_, i) => i).filter((i) => assignment[i] !== f);
    return buildOn(
      opts.coresets,
      engine,
      members.map((i) => goodEmb[i]),
      members.map((i) => `search-${i}`),
      {
        coresetSize,
        seed: opts.seed + 7919 * (f + 1),
        views: members.map((i) => views[i]),
        itemRegion: opts.itemRegion,
      },
    );
  };
  let f = 0;
  let last: ReferenceSet | undefined;
  for await (const set of banksInTurn(folds, bankOf, opts.coresets?.size)) {
    last = set;
    for (const [i, e] of goodEmb.entries()) {
      if (assignment[i] === f) good[i] = await score(e, set);
    }
    for (const [k, s] of images.synthetic.entries()) {
      if (assignment[s.source] === f) {
        synthetic[k] = await score(await embed(s.image), set);
        tick();
      }
    }
    for (const [k, r] of images.rejects.entries()) {
      if (k % folds === f) {
        rejects[k] = await score(await embed(r), set);
        tick();
      }
    }
    f++;
  }
  // The fastest of 5 timings after a warm-up: what the configuration costs on an otherwise idle bench (a median moved
  // with whatever else ran). Against the last fold's bank grown to the product's bank size: only its size matters.
  const measuredMs = Math.min(...(await timeInspections(engine, images.goods, last!, coresetSize, 5)).map((t) => t.ms));
  return {
    good,
    synthetic,
    rejects,
    measuredMs,
    knnMs: predicted?.knnMs ?? 0,
    latencyMs: predicted?.latencyMs ?? measuredMs,
    latencyFrom: predicted ? ('cost model' as const) : ('measured' as const),
  };
}

/**
 * What the cost model predicts for one item under this engine and bank (null: the backbone has no cost model). Only
 * the patches it scores are searched (on the item, see vision/itemRegion.ts), and a levelled photo is turned first.
 */
async function predictedCost(
  engine: Engine,
  image: DecodedImage,
  bankRows: number,
  itemRegion: ItemRegion | null,
): Promise<Prediction> {
  const cost = engine.manifest.cost;
  if (!cost) return null;
  const input = await engine.preprocess(image);
  const emb = await engine.embed(input);
  const patches = scoredCells(emb, itemRegion).reduce((a, v) => a + v, 0);
  const levelMs =
    engine.settings.pose === 'level' ? (LEVEL_MS_PER_PHOTO_MEGAPIXEL * image.width * image.height) / 1e6 : 0;
  return {
    latencyMs: predictCaptureMs(cost, { inputPixels: input.width * input.height, patches, bankRows }) + levelMs,
    knnMs: knnMs(patches, bankRows),
  };
}

function notSearched(c: Candidate, predicted: NonNullable<Prediction>): CandidateFigures {
  return {
    candidate: c,
    separation: NaN,
    synthetic: NaN,
    rejects: null,
    caught: NaN,
    latencyMs: predicted.latencyMs,
    knnMs: predicted.knnMs,
    measuredMs: NaN,
    latencyFrom: 'cost model',
    byKind: {},
    scores: { good: [], synthetic: [], rejects: [] },
    searched: false,
  };
}

function figures(c: Candidate, s: Awaited<ReturnType<typeof scoreEngine>>, images: SearchImages): CandidateFigures {
  const pool = (x: Scored) => memberScore(x, c.topShare);
  const good = s.good.map(pool),
    synth = s.synthetic.map(pool),
    rej = s.rejects.map(pool);
  const { separation, synthetic, rejects } = separationOf(synth, rej, good);
  const bar = percentile(good, 90);
  const byKind: Record<string, number> = {};
  for (const kind of new Set(images.synthetic.map((x) => x.kind))) {
    byKind[kind] = aurocFromGroups(
      synth.filter((_, k) => images.synthetic[k].kind === kind),
      good,
    );
  }
  const caughtOf = [...synth, ...rej];
  return {
    candidate: c,
    separation,
    synthetic,
    rejects,
    caught: caughtOf.filter((v) => v > bar).length / Math.max(1, caughtOf.length),
    latencyMs: s.latencyMs,
    knnMs: s.knnMs,
    measuredMs: s.measuredMs,
    latencyFrom: s.latencyFrom,
    byKind,
    scores: { good, synthetic: synth, rejects: rej },
    searched: true,
  };
}

/** Figures for every candidate, in the order given. */
export async function searchCandidates(
  candidates: Candidate[],
  engineFor: EngineFor,
  images: SearchImages,
  opts: SearchOptions,
): Promise<CandidateFigures[]> {
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) groups.set(engineKey(c), [...(groups.get(engineKey(c)) ?? []), c]);
  const perEngine = images.goods.length + images.synthetic.length + images.rejects.length;
  const total = groups.size * perEngine;
  let done = 0;
  const out = new Map<Candidate, CandidateFigures>();
  for (const [key, group] of groups) {
    const engine = await engineFor(group[0]);
    const predicted = await predictedCost(engine, images.goods[0], opts.bankSize(group[0]), opts.itemRegion ?? null);
    if (predicted && opts.budgetMs !== undefined && predicted.latencyMs > opts.budgetMs) {
      for (const c of group) out.set(c, notSearched(c, predicted));
      done += perEngine;
      opts.onProgress?.(done, total, key);
      continue;
    }
    const scored = await scoreEngine(engine, group[0], images, opts, predicted, () =>
      opts.onProgress?.(++done, total, key),
    );
    for (const c of group) out.set(c, figures(c, scored, images));
  }
  return candidates.map((c) => out.get(c)!);
}
