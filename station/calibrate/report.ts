/** The calibration report of one version: JSON (stored with the version) and a readable text summary. */
import type { ToleranceBand } from '../verdict/bands.ts';
import type { BandOption } from '../verdict/choose.ts';
import { histogramText, type Histogram } from '../verdict/histogram.ts';
import type { RateSummary } from '../verdict/judge.ts';
import type { ResizeMode } from '../vision/types.ts';
import type { TuningSummary } from './tune/productTuner.ts';
import type { FlaggedImage } from './screen.ts';

export interface VersionComparison {
  previousVersion: number;
  /** Why some figures are missing (e.g. another backbone), if any. */
  notes: string[];
  /** Good images not in the previous reference set: scored against it for "before", held out for "after". */
  good?: { n: number; before: RateSummary; after: RateSummary };
  /** Reject images scored by both versions. */
  reject?: { n: number; before: RateSummary; after: RateSummary };
}

export interface CalibrationReport {
  product: { id: string; name: string };
  version: number;
  createdAt: string;
  modelSha256: string;
  /** A pair's second backbone (the store loads it with the first when the version is active). */
  partner?: { modelId: string; modelSha256: string };
  settings: {
    inputMode: ResizeMode;
    coresetSize: number;
    seed: number;
    minGoodImages: number;
    placedConsistently: boolean;
    regions: number;
    bandsFrom: 'rates' | 'rejects';
    /** 0: the item's most deviating spot is judged; else the mean of this share of its most deviating patches. */
    scoreTopShare: number;
  };
  images: {
    good: { found: number; used: number };
    reject: { found: number; used: number };
    duplicates: { name: string; sameAs: string }[];
    /** Good images a lead accepted from the review queue (each counted once, see FolderScan.fromReview). */
    fromReview: number;
    skipped: { name: string; reason: string }[];
    ignored: { name: string; reason: string }[];
    /** Good images that do not look like they belong (see screen.ts): left out unless product.json keeps them. */
    flagged?: FlaggedImage[];
    /** Names and content hashes of the good images in this reference set (next versions compare on the others). */
    goodNames: string[];
    goodSha256: string[];
  };
  heldOut: { method: 'k-fold' | 'leave-one-out'; folds: number; scoreKind: ToleranceBand['scoreKind'] };
  goodScores: { name: string; score: number }[];
  band: ToleranceBand;
  /** Held-out good images under the band. */
  good: RateSummary;
  histogram: { good: Histogram; reject?: Histogram };
  reject?: RateSummary & { scores: { name: string; score: number }[] };
  rejectOptions?: { options: BandOption[]; chosen: number; reason: string };
  comparison?: VersionComparison;
  /** The configuration self-tuning chose and the candidates it tried (absent when calibrated as written). */
  tuning?: TuningSummary;
  warnings: string[];
  timings: { embedSeconds: number; heldOutSeconds: number; buildSeconds: number; totalSeconds: number };
}

const pc = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => x.toPrecision(4);
const rates = (r: RateSummary) =>
  `pass ${r.pass} (${pc(r.shares.pass)}), review ${r.review} (${pc(r.shares.review)}), fail ${r.fail} (${pc(r.shares.fail)})`;

export function reportText(r: CalibrationReport): string {
  const L: string[] = [];
  L.push(`Calibration of "${r.product.name}" (${r.product.id}), reference set v${r.version}, ${r.createdAt}`);
  L.push(`model sha256 ${r.modelSha256.slice(0, 16)}…, input ${r.settings.inputMode}, seed ${r.settings.seed}`);
  if (r.tuning) L.push(...tuningLines(r.tuning));
  L.push('', ...imageLines(r));
  L.push('', ...bandLines(r));
  L.push('', ...distributionLines(r));
  if (r.rejectOptions) L.push('', ...rejectOptionLines(r.rejectOptions));
  if (r.comparison) L.push('', ...comparisonLines(r.comparison));
  if (r.warnings.length) L.push('', 'Coverage warnings:', ...r.warnings.map((w) => `  ! ${w}`));
  L.push('');
  L.push(
    `Time: embedding ${r.timings.embedSeconds.toFixed(1)} s, held-out scoring ${r.timings.heldOutSeconds.toFixed(1)} s (the reference set chosen beside it), reference set ${r.timings.buildSeconds.toFixed(1)} s more, total ${r.timings.totalSeconds.toFixed(1)} s`,
  );
  return `${L.join('\n')}\n`;
}

/** A heading with its count, then one indented line per entry; nothing when the list is empty. */
function listed<T>(items: T[], heading: string, line: (item: T) => string): string[] {
  return items.length ? [`  ${items.length} ${heading}:`, ...items.map((i) => `    ${line(i)}`)] : [];
}

/** Which images were used, and every one that was not, with why. */
function imageLines(r: CalibrationReport): string[] {
  const L = [
    `Images: ${r.images.good.used} good used (of ${r.images.good.found} files), ${r.images.reject.used} rejects used (of ${r.images.reject.found})`,
  ];
  if (r.images.fromReview) L.push(`  ${r.images.fromReview} of the good images were accepted from the review queue`);
  const flagged = r.images.flagged ?? [];
  return [
    ...L,
    ...listed(r.images.duplicates, 'duplicate(s), counted once', (d) => `${d.name} = ${d.sameAs}`),
    ...listed(r.images.skipped, 'unreadable, skipped', (s) => `${s.name}: ${s.reason}`),
    ...listed(
      flagged.filter((f) => !f.kept),
      'left out as not belonging (name one in keepImages in product.json to use it anyway)',
      (f) => `${f.name}: ${f.reason}`,
    ),
    ...listed(
      flagged.filter((f) => f.kept),
      'kept by keepImages although flagged',
      (f) => `${f.name}: ${f.reason}`,
    ),
    ...listed(r.images.ignored, 'not used', (s) => `${s.name}: ${s.reason}`),
  ];
}

/** How good images were scored, the tolerance band with its intervals, and the images under it. */
function bandLines(r: CalibrationReport): string[] {
  const b = r.band;
  const pooled =
    r.settings.scoreTopShare > 0 ? ` (mean of the most deviating ${pc(r.settings.scoreTopShare)} of each item)` : '';
  const L = [
    `Held-out scoring: ${r.heldOut.method}, ${r.heldOut.folds} folds (no good image scored against a bank holding it); score: ${r.heldOut.scoreKind}${pooled}`,
    `Tolerance band (targets: ≤ ${pc(b.rates.failRate)} of good items fail, ≤ ${pc(b.rates.reviewRate)} go to review):`,
    `  review above ${num(b.reviewAt)}   95% interval [${num(b.intervals.reviewAt[0])}, ${num(b.intervals.reviewAt[1])}]  (${b.method.reviewAt})`,
    `  fail   above ${num(b.failAt)}   95% interval [${num(b.intervals.failAt[0])}, ${num(b.intervals.failAt[1])}]  (${b.method.failAt})`,
    `  estimator: ${b.method.estimator}; ${b.method.bootstrap} bootstrap resamples`,
    `Good images (held out) under this band: ${rates(r.good)}`,
  ];
  if (r.reject) L.push(`Rejects under this band: ${rates(r.reject)} → caught ${pc(r.reject.flagged)}`);
  return L;
}

/** Histograms of the good (and reject) scores, with the band's limits marked. */
function distributionLines(r: CalibrationReport): string[] {
  const marks = { review: r.band.reviewAt, fail: r.band.failAt };
  const L = ['Score distribution of good images (held out):', histogramText(r.histogram.good, { marks })];
  if (r.histogram.reject) L.push('Score distribution of rejects:', histogramText(r.histogram.reject, { marks }));
  return L;
}

/** The bands the rejects allow, as a table; the chosen one starred. */
function rejectOptionLines(o: NonNullable<CalibrationReport['rejectOptions']>): string[] {
  return [
    'Band options from rejects (set tolerance.failRate / reviewRate in product.json to choose one):',
    '   failRate reviewRate   review>    fail>   good flagged  good fail  rejects caught  rejects fail',
    ...o.options.map(
      (opt, i) =>
        `${i === o.chosen ? ' *' : '  '} ${String(opt.rates.failRate).padStart(8)} ${String(opt.rates.reviewRate).padStart(10)} ` +
        `${num(opt.reviewAt).padStart(9)} ${num(opt.failAt).padStart(8)} ${pc(opt.good.flagged).padStart(14)} ${pc(opt.good.shares.fail).padStart(10)} ` +
        `${pc(opt.rejects.flagged).padStart(15)} ${pc(opt.rejects.shares.fail).padStart(13)}`,
    ),
    `  * ${o.reason}`,
  ];
}

/** The previous version against this one on the same images. */
function comparisonLines(c: VersionComparison): string[] {
  const L = [`Before/after against v${c.previousVersion} on the same images:`];
  if (c.good)
    L.push(
      `  good (${c.good.n} not in v${c.previousVersion}): false alarms ${pc(c.good.before.flagged)} → ${pc(c.good.after.flagged)}, failed ${pc(c.good.before.shares.fail)} → ${pc(c.good.after.shares.fail)}`,
    );
  if (c.reject)
    L.push(
      `  rejects (${c.reject.n}): caught ${pc(c.reject.before.flagged)} → ${pc(c.reject.after.flagged)}, failed ${pc(c.reject.before.shares.fail)} → ${pc(c.reject.after.shares.fail)}`,
    );
  return [...L, ...c.notes.map((n) => `  note: ${n}`)];
}

/** The self-tuning part of the report: the choice, why, and the table of candidates tried. */
export function tuningLines(t: TuningSummary): string[] {
  const photographed = t.sizesNotTried?.length
    ? `; photographed ${t.longSide} px long, so input ${t.sizesNotTried.join('/')} (magnifying) not tried`
    : '';
  const L = [
    `Configuration: ${t.chosen} (items ${t.nativeAspect.toFixed(2)}:1 wide:high${photographed}) — ${t.reason}`,
  ];
  if (t.itemRegionCover !== null && t.itemRegionCover !== undefined)
    L.push(`  items seen on ${pc(t.itemRegionCover)} of the frame: the bench elsewhere is not scored`);
  if (!t.candidates.length) return L;
  L.push(
    `  chosen by self-tuning in ${t.seconds.toFixed(0)} s on ${t.searchImages} good images and ${t.syntheticDefects} synthetic defects (budget ${t.budgetMs} ms):`,
  );
  L.push(
    '    candidate                                  separation  synthetic  rejects  caught@10%  latency ms  measured ms',
  );
  for (const c of t.candidates) {
    const mark = c.label === t.chosen ? '  *' : c.withinBudget ? '   ' : '  -';
    const latency = c.latencyMs.toFixed(1).padStart(11);
    if (c.separation === null || c.synthetic === null || c.caught === null || c.measuredMs === null) {
      L.push(`${mark} ${c.label.padEnd(42)} ${'not searched: over the budget'.padStart(41)} ${latency}`);
      continue;
    }
    L.push(
      `${mark} ${c.label.padEnd(42)} ${c.separation.toFixed(3).padStart(9)} ${c.synthetic.toFixed(3).padStart(10)} ${c.rejects === null ? '    —' : c.rejects.toFixed(3).padStart(8)} ` +
        `${pc(c.caught).padStart(11)} ${latency} ${c.measuredMs.toFixed(1).padStart(12)}`,
    );
  }
  L.push(
    t.candidates.some((c) => c.latencyFrom === 'cost model')
      ? '    * chosen   - over the latency budget (judged on latency ms: the backbone cost model; measured ms: timed here, now)'
      : '    * chosen   - over the latency budget',
  );
  if (t.cheapestPairMs !== undefined)
    L.push(
      `    no pair of two backbones fits the ${t.budgetMs} ms budget (the cheapest would take ${t.cheapestPairMs.toFixed(1)} ms)`,
    );
  if (t.pairs?.length) {
    L.push('    pair (two backbones, scores combined)                                     separation  latency ms');
    for (const p of t.pairs)
      L.push(
        `${p.label === t.chosen ? '  *' : '   '} ${p.label.padEnd(72)} ${p.separation.toFixed(3).padStart(9)} ${p.latencyMs.toFixed(1).padStart(11)}`,
      );
  }
  return L;
}
