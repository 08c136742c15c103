import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCalibrateCli } from '../../station/calibrate/cli.ts';
import { openStore } from '../../station/store/index.ts';
import { fakeEngine, writeFakeImage, writeFakeProduct } from './fakeEngine.ts';

const root = mkdtempSync(path.join(tmpdir(), 'calib-cli-'));
const cal = path.join(root, 'calibration');
const data = path.join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const engine = fakeEngine();
async function cli(...args: string[]) {
  const out = new PassThrough(),
    err = new PassThrough();
  let o = '',
    e = '';
  out.on('data', (b) => (o += b));
  err.on('data', (b) => (e += b));
  const code = await runCalibrateCli(
    [...args, '--data', data, '--calibration', cal, '--bootstrap', '50'],
    { stdout: out, stderr: err, env: {} },
    { engineFor: async () => engine },
  );
  return { code, out: o, err: e };
}

describe('npm run calibrate', () => {
  it('calibrates, lists, activates an old version, and names what is wrong', async () => {
    writeFakeProduct(path.join(cal, 'tile'), { good: 12 });
    writeFakeProduct(path.join(cal, 'bowl'), { good: 11, name: 'Bowl', seed0: 3000 });
    let r = await cli('--all');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/tile: reference set v1 written to .* and activated/);
    expect(r.out).toMatch(/bowl: reference set v1 written/);
    expect(r.err).toContain('calibrate: held-out scoring (12)'); // non-TTY progress: one line per stage
    writeFakeImage(path.join(cal, 'tile', 'good', 'extra.png'), 777);
    r = await cli('tile');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Before/after against v1');
    r = await cli('tile', '--list');
    expect(r.out).toMatch(/^ {2}v1 .*\n\* v2 /);
    r = await cli('tile', '--activate', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('tile: v1 is now active');
    const store = openStore(data);
    try {
      expect(store.referenceSets.active('tile')!.version).toBe(1);
      expect(store.referenceSets.active('bowl')!.version).toBe(1);
    } finally {
      store.close();
    }
    r = await cli('tile', '--activate', '9');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/calibrate: product 'tile' has no reference set v9 \(versions: v1, v2\)/);
    r = await cli('tile', '--activate', 'two');
    expect(r.err).toMatch(/--activate must be a whole number/);
    r = await cli('vase');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/calibration\/vase does not exist.*\(products found: bowl, tile\)/);
    r = await cli();
    expect(r.code).toBe(2);
    expect(r.err).toContain('usage: npm run calibrate');
    r = await cli('tile', '--colour');
    expect(r.code).toBe(2);
    // --all carries on past a broken product and says which failed
    writeFakeProduct(path.join(cal, 'vase'), { good: 4, name: 'Vase', seed0: 6000 });
    r = await cli('--all');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/calibrate: vase: .*4 distinct good image\(s\), at least 10 needed/);
    expect(r.out).toMatch(/bowl: reference set v2 written/);
    expect(r.out).toMatch(/tile: reference set v3 written/);
    expect(r.err).toContain('1 of 3 product(s) failed');
  });
});
