// Backups and restores next to a real running station (replay source, real SQLite, the real backbone): the
// backup CLI works while it inspects, a restore is refused while it runs and leaves its record alone, a second
// station on the same data folder is refused, and once the station has stopped the restore goes through.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStation } from '../../station/app.ts';
import { type BackupManifest, checkDatabase } from '../../station/store/backup.ts';
import {
  benchConfig,
  makeBench,
  memoryLog,
  replayFinished,
  run,
  writeConfigFile,
  type Bench,
  type Running,
} from './harness.ts';

const repo = path.resolve(import.meta.dirname, '../..');
let bench: Bench;
let backups: string;
let r: Running | undefined;

beforeAll(async () => {
  bench = await makeBench(3);
  backups = mkdtempSync(path.join(tmpdir(), 'backups-'));
});
afterAll(async () => {
  await r?.close();
  rmSync(backups, { recursive: true, force: true });
  rmSync(bench.dataDir, { recursive: true, force: true });
});

const cli = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });

describe('backup and restore beside a running station', () => {
  it('backs up while it inspects, refuses to restore over it, restores once it has stopped', async () => {
    const config = writeConfigFile(bench, { backup: { folder: backups, keepDays: 3 } });
    r = await run(bench);
    await r.live.waitFor('inspection', () => true);

    const b = cli('scripts/backup.ts', '--config', config);
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    const backupDir = /^backup (\S+):/.exec(b.stdout)![1];

    // A second station on the same data folder is refused before it opens anything.
    await expect(startStation(benchConfig(bench), memoryLog())).rejects.toThrow(
      /is in use by a running station, process \d+, since .*stop the station first/,
    );

    const record = path.join(bench.dataDir, 'station.sqlite');
    const before = statSync(record).ino;
    const refused = cli('scripts/restore.ts', backupDir, '--config', config);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is in use by a running station, process \d+.*systemctl stop bench-qa/);
    expect(statSync(record).ino).toBe(before); // the live record was not moved or replaced

    await replayFinished(r);
    const inspected = r.station.store.inspections.count({});
    await r.close();
    r = undefined;

    const restored = cli('scripts/restore.ts', backupDir, '--config', config);
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(backupDir, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(manifest.rows.inspections).toBeGreaterThanOrEqual(1);
    expect(manifest.rows.inspections).toBeLessThanOrEqual(inspected);
    expect(restored.stdout).toContain(`${manifest.rows.inspections} inspection(s), integrity ok before and after`);
    const check = checkDatabase(record);
    expect(check).toEqual({ integrity: 'ok', schemaVersion: manifest.schemaVersion, rows: manifest.rows });

    // The restored folder is a station's again: it opens, migrates nothing and serves.
    r = await run(bench);
    expect(r.station.store.integrityCheck()).toBe('ok');
  });
});
