// Backups of a record that is being written: a real child process records inspections in a loop (as the station
// does) while `npm run backup` runs as another real process; `npm run restore` puts the backup into a data folder.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../station/config.ts';
import { nextRunAt, scheduleBackups } from '../../station/runtime/backups.ts';
import { type BackupManifest, listBackups, pruneBackups, takeBackup } from '../../station/store/backup.ts';
import { freshStore, tempDir } from './helpers.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const DAY_MS = 24 * 3600 * 1000;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Runs a project script as its own process; resolves with its exit status and output. */
function script(file: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: repo });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr })));
}

/** The record loop of the crash test: inspections committed one after another, each id printed after commit. */
function recordLoop(dataDir: string): { ids: number[]; child: ChildProcess } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/store/fixtures/record-loop.ts', dataDir], {
    cwd: repo,
  });
  children.push(child);
  const ids: number[] = [];
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) ids.push(Number(l.split(' ')[0]));
  });
  return { ids, child };
}

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function configFor(dataDir: string, backupFolder: string): string {
  const file = path.join(tempDir(), 'bench.json');
  writeFileSync(
    file,
    JSON.stringify({ dataDir, camera: { kind: 'usb', device: 0 }, backup: { folder: backupFolder, keepDays: 7 } }),
  );
  return file;
}

type Row = { id: number; inspected_at: number; score: number; verdict: string };
function rows(dataDir: string): { rows: Row[]; integrity: string } {
  const db = new Database(path.join(dataDir, 'station.sqlite'), { readonly: true });
  try {
    return {
      rows: db.prepare('SELECT id, inspected_at, score, verdict FROM inspections ORDER BY id').all() as Row[],
      integrity: db.pragma('integrity_check', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

describe('backup and restore under load', () => {
  it('a backup taken while inspections are written restores to the same rows, integrity ok', async () => {
    const dataDir = tempDir();
    const folder = tempDir();
    const loop = recordLoop(dataDir);
    await until(() => loop.ids.length >= 30, 'the loop to record 30 inspections');
    mkdirSync(path.join(dataDir, 'reference-sets', 'tile'), { recursive: true });
    writeFileSync(path.join(dataDir, 'reference-sets', 'tile', 'v1.refset'), 'reference set bytes');

    const before = loop.ids.length;
    const b = await script('scripts/backup.ts', ['--config', configFor(dataDir, folder)]);
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    const dir = /^backup (\S+):/.exec(b.stdout)?.[1];
    expect(dir && existsSync(dir)).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(dir!, 'manifest.json'), 'utf8')) as BackupManifest;
    // The loop went on writing all along: before, during and after the backup.
    await until(() => loop.ids.length > manifest.rows.inspections + 20, 'writes after the backup');
    loop.child.kill('SIGKILL');
    expect(manifest.rows.inspections).toBeGreaterThanOrEqual(before);
    expect(manifest.integrity).toBe('ok');

    // Restored into a fresh folder: exactly the rows the source had up to the snapshot, none torn, none missing.
    const restoredDir = tempDir();
    const r = await script('scripts/restore.ts', [dir!, '--config', configFor(restoredDir, folder)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${manifest.rows.inspections} inspection(s), integrity ok before and after`);
    const restored = rows(restoredDir);
    const source = rows(dataDir);
    expect(restored.integrity).toBe('ok');
    expect(restored.rows.length).toBe(manifest.rows.inspections);
    expect(source.rows.length).toBeGreaterThan(restored.rows.length);
    expect(restored.rows).toEqual(source.rows.slice(0, restored.rows.length));
    expect(readFileSync(path.join(restoredDir, 'reference-sets', 'tile', 'v1.refset'), 'utf8')).toBe(
      'reference set bytes',
    );

    // Restored over the folder it came from: what it replaces is set aside whole, not deleted.
    const back = await script('scripts/restore.ts', [dir!, '--config', configFor(dataDir, folder)]);
    expect(back.status).toBe(0);
    const aside = /kept in (\S+?),? /.exec(back.stdout)?.[1];
    expect(rows(dataDir).rows.length).toBe(manifest.rows.inspections);
    expect(rows(aside!).rows).toEqual(source.rows);
    // Every evidence image stays with the record that refers to it: the restored one's in the data folder, the
    // later inspections' beside the set-aside record (the next start would sweep them as orphans otherwise).
    const evidence = (folder: string) => {
      const db = new Database(path.join(folder, 'station.sqlite'), { readonly: true });
      const paths = db.prepare('SELECT frame_path AS p FROM inspections ORDER BY id').all() as { p: string }[];
      db.close();
      return paths;
    };
    const kept = evidence(dataDir).map((e) => path.join(dataDir, 'evidence', e.p));
    const later = evidence(aside!)
      .slice(kept.length)
      .map((e) => path.join(aside!, 'evidence', e.p));
    expect(later.length).toBeGreaterThan(0);
    expect([...kept, ...later].filter((f) => !existsSync(f))).toEqual([]);
  });

  it('refuses a damaged backup and leaves the data folder as it was', async () => {
    const store = freshStore();
    store.products.upsert({ id: 'tile', name: 'Glazed tile' });
    for (let i = 0; i < 200; i++)
      store.inspections.record({
        inspectedAt: i,
        productId: 'tile',
        score: 0.1,
        verdict: 'pass',
        band: { reviewAt: 0.5, failAt: 0.8 },
      });
    const good = await takeBackup(store.db, store.dataDir, tempDir());
    const damaged = path.join(tempDir(), 'bench-qa-damaged');
    cpSync(good.dir, damaged, { recursive: true });
    const fd = openSync(path.join(damaged, 'station.sqlite'), 'r+');
    writeSync(fd, Buffer.alloc(4096 * 3, 0x5a), 0, 4096 * 3, 4096 * 2); // pages 3 to 5: b-tree pages
    closeSync(fd);

    const target = tempDir();
    const r = await script('scripts/restore.ts', [damaged, '--config', configFor(target, tempDir())]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/(fails integrity_check|cannot be read).*nothing was restored/);
    expect(readdirSync(target).filter((f) => !f.startsWith('station.lock'))).toEqual([]);
  });
});

describe('keeping N days of backups', () => {
  it('removes backups older than keepDays, keeps the rest and anything that is not a backup', async () => {
    const store = freshStore();
    const folder = tempDir();
    const now = Date.parse('2025-03-20T02:30:00Z');
    for (const days of [9, 5, 2.5, 1, 0])
      await takeBackup(store.db, store.dataDir, folder, new Date(now - days * DAY_MS));
    mkdirSync(path.join(folder, 'notes'));
    const removed = pruneBackups(folder, 3, now);
    expect(removed.map((d) => path.basename(d))).toEqual([
      'bench-qa-2025-03-11T02-30-00-000Z',
      'bench-qa-2025-03-15T02-30-00-000Z',
    ]);
    expect(listBackups(folder).map((b) => b.manifest.createdAt)).toEqual([
      '2025-03-17T14:30:00.000Z',
      '2025-03-19T02:30:00.000Z',
      '2025-03-20T02:30:00.000Z',
    ]);
    expect(existsSync(path.join(folder, 'notes'))).toBe(true);
    // A bench whose clock jumped years ahead still keeps its newest backup.
    pruneBackups(folder, 3, now + 1000 * DAY_MS);
    expect(listBackups(folder).map((b) => b.manifest.createdAt)).toEqual(['2025-03-20T02:30:00.000Z']);
  });

  it('the station backs itself up at the configured time and prunes by keepDays', async () => {
    const store = freshStore();
    store.products.upsert({ id: 'tile', name: 'Glazed tile' });
    const folder = tempDir();
    const config = parseConfig({ dataDir: store.dataDir, backup: { folder, keepDays: 2, at: '02:30' } }, 'test');
    // An old backup that the nightly run must prune, and the clock just before 02:30 local time.
    await takeBackup(store.db, store.dataDir, folder, new Date(2025, 2, 1, 2, 30));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: new Date(2025, 2, 20, 2, 29) });
    const log = {
      lines: [] as string[],
      info: (m: string) => log.lines.push(m),
      warn() {},
      error: (m: string) => log.lines.push(m),
    };
    const stop = scheduleBackups(config, store, log);
    try {
      await vi.advanceTimersByTimeAsync(59_000);
      expect(listBackups(folder)).toHaveLength(1); // not yet
      await vi.advanceTimersByTimeAsync(2_000);
      vi.useRealTimers();
      await until(() => log.lines.some((l) => l.startsWith('backup: removed')), 'the nightly backup and its pruning');
      expect(listBackups(folder).map((b) => b.manifest.createdAt)).toEqual([
        new Date(2025, 2, 20, 2, 30).toISOString(),
      ]);
      expect(log.lines.filter((l) => /failed/.test(l))).toEqual([]);
    } finally {
      vi.useRealTimers();
      stop();
    }
  });

  it('plans the nightly run at the next local HH:MM', () => {
    const evening = new Date(2025, 2, 20, 22, 15);
    expect(nextRunAt('02:30', evening)).toEqual(new Date(2025, 2, 21, 2, 30));
    expect(nextRunAt('23:00', evening)).toEqual(new Date(2025, 2, 20, 23, 0));
    expect(nextRunAt('22:15', evening)).toEqual(new Date(2025, 2, 21, 22, 15));
  });
});
