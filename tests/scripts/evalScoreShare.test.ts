import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoDataset } from '../../scripts/lib/demoDataset.ts';

// npm run eval on a small demo category with the real default backbone (prepared by setup).
const root = mkdtempSync(path.join(tmpdir(), 'eval-share-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await writeDemoDataset(path.join(root, 'demo-tile'), 6);
});

const evalRun = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', root, '--bank', '1000', '--fixed', ...args], {
    encoding: 'utf8',
  });
const scores = (csv: string) =>
  readFileSync(csv, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => ({ file: l.split(',')[2], score: Number(l.split(',')[4]) }));

describe('npm run eval -- --score-top-share', () => {
  it("judges the mean of each image's most deviating share: below its maximum, with verdicts on that number", () => {
    const max = evalRun('--no-verdicts', '--scores', path.join(root, 'max.csv'));
    expect(max.status, max.stderr).toBe(0);
    const top = evalRun(
      '--score-top-share',
      '0.1',
      '--scores',
      path.join(root, 'top.csv'),
      '--json',
      path.join(root, 'top.json'),
    );
    expect(top.status, top.stderr).toBe(0);
    const a = scores(path.join(root, 'max.csv')),
      b = scores(path.join(root, 'top.csv'));
    expect(b.map((r) => r.file)).toEqual(a.map((r) => r.file));
    b.forEach((r, i) => {
      expect(r.score).toBeLessThan(a[i].score);
    });
    const json = JSON.parse(readFileSync(path.join(root, 'top.json'), 'utf8'));
    expect(json.settings.scoreTopShare).toBe(0.1);
    const v = json.categories[0].verdicts;
    expect(v.good.pass + v.good.review + v.good.fail).toBe(a.filter((r) => r.file.includes('/good/')).length);
    expect(json.categories[0].verdictBand.scoreKind).toBe('top-share');
  });

  it('refuses a share outside 0 … 0.5', () => {
    const r = evalRun('--score-top-share', '0.7');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--score-top-share must be a number from 0 to 0.5, got "0.7"/);
  });
});
