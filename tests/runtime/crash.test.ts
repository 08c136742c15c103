// Power-cut safety: the station process (as `npm start` runs it, with a config file) is killed with
// SIGKILL while an item is being inspected. Everything it announced must be in the database, with
// its evidence, and the database must pass its integrity check.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_FILE } from '../../station/store/db.ts';
import { Live, makeBench, writeConfigFile, type Bench } from './harness.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
let bench: Bench;
beforeAll(async () => {
  bench = await makeBench(6);
});
afterAll(() => rmSync(bench.dataDir, { recursive: true, force: true }));

/** Starts station/main.ts in its own process and resolves with its dashboard URL. */
function startProcess(configFile: string) {
  // node itself with tsx's loader (not the tsx CLI, which runs node as a child): SIGKILL must hit the station.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'station', 'main.ts'), '--config', configFile],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`station did not start within 120 s:\n${output}`)), 120_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /dashboard: (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`station exited (${code}) before it was up:\n${output}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  return { child, url, exited, output: () => output };
}

describe('station process killed during a replay', () => {
  it('keeps every announced inspection and an intact database', async () => {
    const config = writeConfigFile(bench, {
      camera: {
        kind: 'folder',
        path: bench.demo.replayDir,
        width: 288,
        height: 288,
        fps: 15,
        holdMs: 900,
        gapMs: 450,
        emptyBench: bench.demo.emptyBench,
        loop: true,
      },
    });
    const p = startProcess(config);
    let live: Live | undefined;
    try {
      live = await Live.connect(await p.url);
      // Let three inspections be announced, then kill while the next item is being inspected.
      await live.waitFor('inspection', () => live!.of('inspection').length >= 3, 120_000);
      const inspecting = live.of('bench').filter((b) => b.state === 'inspecting').length;
      await live.waitFor(
        'bench',
        () => live!.of('bench').filter((b) => b.state === 'inspecting').length > inspecting,
        60_000,
      );
      p.child.kill('SIGKILL');
      expect(await p.exited).toBe('SIGKILL');
    } finally {
      live?.close();
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }

    const announced = live!.of('inspection');
    expect(announced.length).toBeGreaterThanOrEqual(3);
    // Opened as a fresh process would after the power cut: WAL recovery, then the checks.
    const db = new Database(path.join(bench.dataDir, STORE_FILE));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('SELECT id, verdict, frame_path, heatmap_path FROM inspections').all() as {
        id: number;
        verdict: string;
        frame_path: string;
        heatmap_path: string;
      }[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const a of announced) {
        const row = byId.get(a.id as number);
        expect(row, `announced inspection ${String(a.id)} is in the database`).toBeDefined();
        expect(row!.verdict).toBe(a.verdict);
        for (const f of [row!.frame_path, row!.heatmap_path])
          expect(existsSync(path.join(bench.dataDir, 'evidence', f))).toBe(true);
      }
    } finally {
      db.close();
    }
  });
});
