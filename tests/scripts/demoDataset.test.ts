import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverCategories } from '../../scripts/lib/datasets.ts';
import { writeDemoDataset } from '../../scripts/lib/demoDataset.ts';
import { DEMO_SAMPLE, demoReplayItem } from '../../station/demo/demoStation.ts';

const root = mkdtempSync(path.join(tmpdir(), 'demo-dataset-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the demo as an eval category', () => {
  it('holds the demo calibration goods for training and the replay items, with masks for the defective ones', async () => {
    await writeDemoDataset(path.join(root, 'demo-tile'), 6);
    const [cat] = discoverCategories(root);
    expect(cat.category).toBe('demo-tile');
    expect(cat.train).toHaveLength(DEMO_SAMPLE.goodCount);
    expect(cat.train.every((f) => /good-\d+\.png$/.test(f))).toBe(true);
    const expected = Array.from({ length: 6 }, (_, k) => demoReplayItem(k).defect ?? 'good');
    expect(cat.test.map((t) => t.type).sort()).toEqual([...expected].sort());
    for (const t of cat.test) expect(t.mask !== null, path.basename(t.file)).toBe(t.defective);
  });
});

describe('npm run demo:dataset on bad input', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo-dataset.ts', ...args], { encoding: 'utf8' });

  it('refuses a missing folder or a bad item count with its usage line', () => {
    expect(run().stderr).toMatch(/usage: npm run demo:dataset/);
    const r = run(path.join(root, 'x'), '--items', 'many');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/N ≥ 3/);
  });

  it('never writes into an existing category folder', () => {
    const out = path.join(root, 'existing');
    mkdirSync(path.join(out, 'demo-tile'), { recursive: true });
    const r = run(out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/demo-tile exists already/);
    expect(readdirSync(path.join(out, 'demo-tile'))).toEqual([]);
  });
});
