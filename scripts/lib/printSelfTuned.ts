/** Console lines for one self-tuned category: the figures, the choice and why, and the candidate table. */
import type { JudgedCounts } from '../../station/verdict/judge.ts';
import type { SelfTunedResult } from './selfTune.ts';
import { MIN_GAIN } from '../../station/calibrate/tune/choose.ts';
import { pixelText } from './pixelTally.ts';

const f4 = (v: number | null) => (v === null || Number.isNaN(v) ? '  n/a ' : v.toFixed(4));

export function printSelfTuned(r: SelfTunedResult): void {
  const s = r.selection;
  console.log(
    `${r.dataset}/${r.category}: shots ${r.shots}, chose ${r.config.label} (aspect ${r.config.aspect.toFixed(2)}) in ${s.seconds.toFixed(0)} s from ${s.searchImages} good images and ${s.syntheticDefects} synthetic defects`,
  );
  console.log(`  why: ${r.config.reason}`);
  if (s.itemRegionCover !== null)
    console.log(
      `  items seen on ${(s.itemRegionCover * 100).toFixed(0)} % of the frame: the bench elsewhere is not scored`,
    );
  console.log(
    `  image AUROC ${r.imageAuroc.toFixed(4)} (tune / report ${r.splitAuroc.tune.toFixed(4)} / ${r.splitAuroc.report.toFixed(4)}), ${pixelText(r)}, F1-max ${r.f1Max.toFixed(4)}, ${r.msPerImage.toFixed(1)} ms/image`,
  );
  console.log(
    `  image AUROC by defect type: ${Object.entries(r.typeAuroc)
      .map(([t, a]) => `${t} ${a.toFixed(3)}`)
      .join(', ')}`,
  );
  if (r.verdicts && r.verdictBand) {
    const c = (x: JudgedCounts) => `pass ${x.pass} / review ${x.review} / fail ${x.fail}`;
    console.log(
      `  verdicts (bands from train/good, ${r.verdictBand.heldOut}): good ${c(r.verdicts.good)}; defect ${c(r.verdicts.defect)}`,
    );
  }
  console.log('  candidate                                   separation  latency ms (measured)  test AUROC');
  for (const c of s.candidates) {
    const mark = c.label === r.config.label ? '*' : ' ';
    console.log(
      `  ${mark} ${c.label.padEnd(42)} ${f4(c.separation)}      ${c.latencyMs.toFixed(1).padStart(6)} (${Number.isNaN(c.measuredMs) ? '  n/a ' : c.measuredMs.toFixed(1).padStart(6)})      ${f4(c.testAuroc)}`,
    );
  }
  if (s.regret !== null)
    console.log(`  selection regret (best test AUROC within budget − chosen): ${s.regret.toFixed(4)}`);
  printCombinations(r);
}

/** Combining two candidates instead of choosing one: the best pairs by separation, and the best on the test images. */
function printCombinations(r: SelfTunedResult): void {
  const all = r.selection.combinations;
  if (all.length === 0) {
    console.log('  combined pairs: none of two backbones fits the budget together');
    return;
  }
  const onTest = all.filter((c) => c.testAuroc !== null);
  const best = onTest.length ? onTest.reduce((a, b) => ((b.testAuroc ?? 0) > (a.testAuroc ?? 0) ? b : a)) : null;
  const shown = [...all.slice(0, 3), ...(best && !all.slice(0, 3).includes(best) ? [best] : [])];
  console.log(
    `  ${'combined pair (each on its own held-out good scale)'.padEnd(86)} separation  latency ms  test AUROC`,
  );
  for (const c of shown)
    console.log(
      `    ${c.label.padEnd(84)} ${f4(c.separation)}      ${c.latencyMs.toFixed(1).padStart(6)}      ${f4(c.testAuroc)}`,
    );
  const over = r.selection.pairChoice;
  const rule = `choosing among singles and pairs (default: the backbones' defaults combined; others lead it by ${MIN_GAIN})`;
  console.log(
    over
      ? `  ${rule}: runs ${over.label} (test AUROC ${f4(over.testAuroc)} on the search's good scales, ${f4(r.imageAuroc)} as calibrated)`
      : `  ${rule}: runs the single`,
  );
  if (best)
    console.log(
      `  combining vs choosing: best pair within budget ${f4(best.testAuroc)}, best-separating pair ${f4(all[0].testAuroc)}, what runs ${f4(r.imageAuroc)}`,
    );
}
