// Upgrades keep data. A bench whose record was written by newer software (a rollback after an upgrade, or a data
// folder carried to an older bench) is refused at start, as the service would start it, with one line saying what
// to do; the file is left byte for byte as it was, and the data folder is free again for the right software.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { lockDataDir } from '../../station/store/dataDirLock.ts';
import { latestSchemaVersion, openStore } from '../../station/store/index.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a station refuses a record newer than its code with one clear line and leaves it untouched', () => {
  const dataDir = path.join(dir, 'data');
  const store = openStore(dataDir);
  store.products.upsert({ id: 'tile', name: 'Glazed tile' });
  store.db
    .prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)')
    .run(latestSchemaVersion + 1, 'from a newer station', Date.now());
  store.close();
  const record = path.join(dataDir, 'station.sqlite');
  const before = readFileSync(record);
  const config = path.join(dir, 'bench.json');
  writeFileSync(config, JSON.stringify({ dataDir, camera: { kind: 'usb', device: '/dev/video-none' } }));

  // The way the service unit starts it: node --import tsx station/main.ts --config <file>.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'station/main.ts', '--config', config], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(1);
  const errors = r.stderr.trim().split('\n');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(
    new RegExp(
      `station\\.sqlite has schema version ${latestSchemaVersion + 1}, newer than this station software understands ` +
        `\\(up to ${latestSchemaVersion}\\)\\. Update the station software.*the file was left untouched`,
    ),
  );
  expect(readFileSync(record).equals(before)).toBe(true);
  lockDataDir(dataDir, 'the test').release(); // the refused station let go of the folder
});
