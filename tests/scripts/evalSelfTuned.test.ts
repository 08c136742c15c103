import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoDataset } from '../../scripts/lib/demoDataset.ts';
import { DEFAULT_BACKBONE, generatedManifestPath } from '../../models/load.ts';

// npm run eval, self-tuned, on a small demo category: the backbone and input size pinned so only the pooling
// is searched (the search itself is tested in tests/calibrate/tuneSearch.test.ts).
const root = mkdtempSync(path.join(tmpdir(), 'eval-tuned-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await writeDemoDataset(path.join(root, 'demo-tile'), 6);
});

const evalRun = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', root, '--bank', '1000', ...args], {
    encoding: 'utf8',
  });

describe('npm run eval, self-tuned', () => {
  it('chooses each category\'s configuration from train/good, writes it as "config", and measures every candidate and the regret', () => {
    const r = evalRun(
      '--model',
      generatedManifestPath(DEFAULT_BACKBONE),
      '--size',
      '224',
      '--json',
      path.join(root, 'tuned.json'),
      '--scores',
      path.join(root, 'tuned.csv'),
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/chose mobilenet_v2 224 square (max|top 10%)/);
    expect(r.stdout).toMatch(/selection regret \(best test AUROC within budget − chosen\): \d\.\d{4}/);
    const json = JSON.parse(readFileSync(path.join(root, 'tuned.json'), 'utf8'));
    expect(json.mode).toBe('self-tuned');
    expect(json.settings.pins).toEqual({ backbone: DEFAULT_BACKBONE, size: 224 });
    const cat = json.categories[0];
    expect(cat.config).toMatchObject({ backbone: DEFAULT_BACKBONE, size: 224, aspect: 1, augment: 'none' });
    // Per-image scores go to --scores, not into the JSON.
    expect(cat.imageScores).toBeUndefined();
    expect(cat.pooledScores).toBeUndefined();
    expect([0, 0.1]).toContain(cat.config.scoreTopShare);
    expect(cat.config.reason).toMatch(
      /best separation of synthetic defects|the default configuration: no candidate separated/,
    );
    const labels = cat.selection.candidates.map((c: { label: string }) => c.label).sort();
    expect(labels).toEqual(['mobilenet_v2 224 square max', 'mobilenet_v2 224 square top 10%']);
    // The chosen candidate's test AUROC is the category's; the regret is the best candidate's minus it.
    const chosen = cat.selection.candidates.find((c: { label: string }) => c.label === cat.config.label);
    expect(chosen.testAuroc).toBeCloseTo(cat.imageAuroc, 10);
    const best = Math.max(...cat.selection.candidates.map((c: { testAuroc: number }) => c.testAuroc));
    expect(cat.selection.regret).toBeCloseTo(best - cat.imageAuroc, 10);
    expect(cat.verdicts.good.pass + cat.verdicts.good.review + cat.verdicts.good.fail).toBeGreaterThan(0);
    // The demo's defects are drawn on its items: no mask is doubted, so there is no second pixel figure.
    expect(cat).toMatchObject({ masksOffItem: 0, pixelAurocOnItem: null });
    expect(readFileSync(path.join(root, 'tuned.csv'), 'utf8').split('\n')[0]).toBe('dataset,category,file,type,score');
  }, 600_000);

  it('measures combining two backbones beside choosing one, both on the test images', () => {
    const r = evalRun(
      '--size',
      '224',
      '--aspect',
      'square',
      '--score-top-share',
      '0.1',
      '--budget-ms',
      '1000',
      '--no-verdicts',
      '--json',
      path.join(root, 'pairs.json'),
    );
    expect(r.status, r.stderr).toBe(0);
    const cat = JSON.parse(readFileSync(path.join(root, 'pairs.json'), 'utf8')).categories[0];
    expect(cat.selection.candidates).toHaveLength(2);
    expect(cat.selection.combinations).toHaveLength(1);
    const pair = cat.selection.combinations[0];
    expect(pair.label).toBe('mobilenet_v2 224 square top 10% + inception_v3 224 square top 10%');
    const [a, b] = cat.selection.candidates;
    // Its members run on half banks: half of each one's kNN search is saved.
    expect(a.knnMs).toBeGreaterThan(0);
    expect(pair.latencyMs).toBeCloseTo(a.latencyMs + b.latencyMs - (a.knnMs + b.knnMs) / 2, 6);
    expect(pair.separation).toBeGreaterThanOrEqual(0);
    expect(pair.separation).toBeLessThanOrEqual(1);
    expect(pair.testAuroc).toBeGreaterThanOrEqual(0);
    expect(pair.testAuroc).toBeLessThanOrEqual(1);
    // The two backbones' defaults combined are the default; no single leads that pair by 0.03 on this demo (the
    // choice is deterministic), so the category runs the pair, as its product's calibration would.
    expect(Math.max(a.separation, b.separation)).toBeLessThan(pair.separation + 0.03);
    expect(cat.selection.pairChoice).toEqual(pair);
    expect(cat.config).toMatchObject({
      label: pair.label,
      backbone: DEFAULT_BACKBONE,
      scoreTopShare: 0.1,
      partner: { backbone: 'inception_v3-features', size: 224, aspect: 1, scoreTopShare: 0.1 },
    });
    // Run as calibrated: bands on the combined held-out score, every test image judged by both members.
    expect(cat.verdictBand.scoreKind).toBe('combined');
    const judged = (x: { pass: number; review: number; fail: number }) => x.pass + x.review + x.fail;
    expect(judged(cat.verdicts.good) + judged(cat.verdicts.defect)).toBe(cat.testImages);
    expect(cat.pixelAuroc).toBeGreaterThan(0.5);
    expect(cat.selection.regret).toBeCloseTo(Math.max(a.testAuroc, b.testAuroc, pair.testAuroc) - cat.imageAuroc, 10);
    expect(r.stdout).toContain(
      `choosing among singles and pairs (default: the backbones' defaults combined; others lead it by 0.03): runs ${pair.label}`,
    );
    expect(r.stdout).toMatch(
      /combining vs choosing: best pair within budget \d\.\d{4}, best-separating pair \d\.\d{4}, what runs \d\.\d{4}/,
    );
  }, 600_000);

  it('refuses an unknown aspect or augmentation', () => {
    expect(evalRun('--aspect', 'wide').stderr).toMatch(/--aspect must be square or native, got "wide"/);
    expect(evalRun('--augment', 'twirl').stderr).toMatch(
      /--augment must be one of none, flips, turns, spin, jitter, got "twirl"/,
    );
  });
});
