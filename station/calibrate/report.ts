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
  /** Good images not in the previous reference set: previous scored against its bank, new held-out. */
  good?: { n: number; before: RateSummary; after: RateSummary };
  /** Reject images scored by both versions. */
  reject?: { n: number; before: RateSummary; after: RateSummary };
}

export interface CalibrationReport {
  product: { id: string; name: string };
  version: number;
  createdAt: string;
  modelSha256: string;
  settings: {
    inputMode: ResizeMode; coresetSize: number; seed: number; minGoodImages: number;
    placedConsistently: boolean; regions: number; bandsFrom: 'rates' | 'rejects';
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
const rates = (r: RateSummary) => `pass ${r.pass} (${pc(r.shares.pass)}), review ${r.review} (${pc(r.shares.review)}), fail ${r.fail} (${pc(r.shares.fail)})`;

export function reportText(r: CalibrationReport): string {
  const L: string[] = [];
  L.push(`Calibration of "${r.product.name}" (${r.product.id}), reference set v${r.version}, ${r.createdAt}`);
  L.push(`model sha256 ${r.modelSha256.slice(0, 16)}…, input ${r.settings.inputMode}, seed ${r.settings.seed}`);
  if (r.tuning) L.push(...tuningLines(r.tuning));
  L.push('');
  L.push(`Images: ${r.images.good.used} good used (of ${r.images.good.found} files), ${r.images.reject.used} rejects used (of ${r.images.reject.found})`);
  if (r.images.fromReview) L.push(`  ${r.images.fromReview} of the good images were accepted from the review queue`);
  if (r.images.duplicates.length) {
    L.push(`  ${r.images.duplicates.length} duplicate(s), counted once:`);
    for (const d of r.images.duplicates) L.push(`    ${d.name} = ${d.sameAs}`);
  }
  if (r.images.skipped.length) {
    L.push(`  ${r.images.skipped.length} unreadable, skipped:`);
    for (const s of r.images.skipped) L.push(`    ${s.name}: ${s.reason}`);
  }
  const out = (r.images.flagged ?? []).filter((f) => !f.kept);
  const kept = (r.images.flagged ?? []).filter((f) => f.kept);
  if (out.length) {
    L.push(`  ${out.length} left out as not belonging (name one in keepImages in product.json to use it anyway):`);
    for (const f of out) L.push(`    ${f.name}: ${f.reason}`);
  }
  if (kept.length) {
    L.push(`  ${kept.length} kept by keepImages although flagged:`);
    for (const f of kept) L.push(`    ${f.name}: ${f.reason}`);
  }
  if (r.images.ignored.length) {
    L.push(`  ${r.images.ignored.length} not used:`);
    for (const s of r.images.ignored) L.push(`    ${s.name}: ${s.reason}`);
  }
  L.push('');
  L.push(`Held-out scoring: ${r.heldOut.method}, ${r.heldOut.folds} folds (no good image scored against a bank holding it); score: ${r.heldOut.scoreKind}${r.settings.scoreTopShare > 0 ? ` (mean of the most deviating ${pc(r.settings.scoreTopShare)} of each item)` : ''}`);
  const b = r.band;
  L.push(`Tolerance band (targets: ≤ ${pc(b.rates.failRate)} of good items fail, ≤ ${pc(b.rates.reviewRate)} go to review):`);
  L.push(`  review above ${num(b.reviewAt)}   95% interval [${num(b.intervals.reviewAt[0])}, ${num(b.intervals.reviewAt[1])}]  (${b.method.reviewAt})`);
  L.push(`  fail   above ${num(b.failAt)}   95% interval [${num(b.intervals.failAt[0])}, ${num(b.intervals.failAt[1])}]  (${b.method.failAt})`);
  L.push(`  estimator: ${b.method.estimator}; ${b.method.bootstrap} bootstrap resamples`);
  L.push(`Good images (held out) under this band: ${rates(r.good)}`);
  if (r.reject) L.push(`Rejects under this band: ${rates(r.reject)} → caught ${pc(r.reject.flagged)}`);
  L.push('');
  L.push('Score distribution of good images (held out):');
  L.push(histogramText(r.histogram.good, { marks: { review: b.reviewAt, fail: b.failAt } }));
  if (r.histogram.reject) {
    L.push('Score distribution of rejects:');
    L.push(histogramText(r.histogram.reject, { marks: { review: b.reviewAt, fail: b.failAt } }));
  }
  if (r.rejectOptions) {
    L.push('');
    L.push('Band options from rejects (set tolerance.failRate / reviewRate in product.json to choose one):');
    L.push('   failRate reviewRate   review>    fail>   good flagged  good fail  rejects caught  rejects fail');
    r.rejectOptions.options.forEach((o, i) => {
      L.push(`${i === r.rejectOptions!.chosen ? ' *' : '  '} ${String(o.rates.failRate).padStart(8)} ${String(o.rates.reviewRate).padStart(10)} ` +
        `${num(o.reviewAt).padStart(9)} ${num(o.failAt).padStart(8)} ${pc(o.good.flagged).padStart(14)} ${pc(o.good.shares.fail).padStart(10)} ` +
        `${pc(o.rejects.flagged).padStart(15)} ${pc(o.rejects.shares.fail).padStart(13)}`);
    });
    L.push(`  * ${r.rejectOptions.reason}`);
  }
  if (r.comparison) {
    const c = r.comparison;
    L.push('');
    L.push(`Before/after against v${c.previousVersion} on the same images:`);
    if (c.good) L.push(`  good (${c.good.n} not in v${c.previousVersion}): false alarms ${pc(c.good.before.flagged)} → ${pc(c.good.after.flagged)}, failed ${pc(c.good.before.shares.fail)} → ${pc(c.good.after.shares.fail)}`);
    if (c.reject) L.push(`  rejects (${c.reject.n}): caught ${pc(c.reject.before.flagged)} → ${pc(c.reject.after.flagged)}, failed ${pc(c.reject.before.shares.fail)} → ${pc(c.reject.after.shares.fail)}`);
    for (const n of c.notes) L.push(`  note: ${n}`);
  }
  if (r.warnings.length) {
    L.push('');
    L.push('Coverage warnings:');
    for (const w of r.warnings) L.push(`  ! ${w}`);
  }
  L.push('');
  L.push(`Time: embedding ${r.timings.embedSeconds.toFixed(1)} s, held-out scoring ${r.timings.heldOutSeconds.toFixed(1)} s, bank ${r.timings.buildSeconds.toFixed(1)} s, total ${r.timings.totalSeconds.toFixed(1)} s`);
  return `${L.join('\n')}\n`;
}

/** The self-tuning part of the report: the choice, why, and the table of candidates tried. */
export function tuningLines(t: TuningSummary): string[] {
  const photographed = t.sizesNotTried?.length ? `; photographed ${t.longSide} px long, so input ${t.sizesNotTried.join('/')} (magnifying) not tried` : '';
  const L = [`Configuration: ${t.chosen} (items ${t.nativeAspect.toFixed(2)}:1 wide:high${photographed}) — ${t.reason}`];
  if (t.itemRegionCover !== null && t.itemRegionCover !== undefined) L.push(`  items seen on ${pc(t.itemRegionCover)} of the frame: the bench elsewhere is not scored`);
  if (!t.candidates.length) return L;
  L.push(`  chosen by self-tuning in ${t.seconds.toFixed(0)} s on ${t.searchImages} good images and ${t.syntheticDefects} synthetic defects (budget ${t.budgetMs} ms):`);
  L.push('    candidate                                  separation  synthetic  rejects  caught@10%  latency ms');
  for (const c of t.candidates) {
    const mark = c.label === t.chosen ? '  *' : c.withinBudget ? '   ' : '  -';
    L.push(`${mark} ${c.label.padEnd(42)} ${c.separation.toFixed(3).padStart(9)} ${c.synthetic.toFixed(3).padStart(10)} ${c.rejects === null ? '    —' : c.rejects.toFixed(3).padStart(8)} ` +
      `${pc(c.caught).padStart(11)} ${c.latencyMs.toFixed(1).padStart(11)}`);
  }
  L.push('    * chosen   - over the latency budget');
  return L;
}
