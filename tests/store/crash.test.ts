// An announced inspection must survive SIGKILL: a child records in a loop and prints each id after
// commit; we kill its whole process group mid-loop and check every printed id is in the file.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { openStore, resolveEvidence } from '../../station/store/index.ts';
import { tempDir } from './helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

it('every inspection printed before SIGKILL is in the database, with its evidence whole', async () => {
  const dataDir = tempDir();
  const child = spawn('npx', ['tsx', path.join(here, 'fixtures/record-loop.ts'), dataDir], {
    cwd: repo,
    detached: true, // own process group: npx → tsx → node all die together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const announced: { id: number; framePath: string; bytes: number }[] = [];
  let stderr = '';
  let partial = '';
  const killAfter = 40 + Math.floor(Math.random() * 40);
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child printed ${announced.length} ids in 60 s; stderr: ${stderr}`)),
      60_000,
    );
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before being killed; stderr: ${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!; // only whole lines count as announced
      for (const line of lines) {
        const [id, framePath, bytes] = line.split(' ');
        announced.push({ id: Number(id), framePath, bytes: Number(bytes) });
      }
      if (announced.length >= killAfter) {
        clearTimeout(timer);
        process.kill(-child.pid!, 'SIGKILL');
        resolve();
      }
    });
  });
  expect(await exited).toBe('SIGKILL');

  const store = openStore(dataDir);
  try {
    expect(store.integrityCheck()).toBe('ok');
    for (const a of announced) {
      const row = store.inspections.get(a.id);
      expect(row, `inspection ${a.id}`).toBeDefined();
      expect(row!.framePath).toBe(a.framePath);
      expect(statSync(resolveEvidence(dataDir, a.framePath)).size).toBe(a.bytes);
    }
    expect(store.inspections.count()).toBeGreaterThanOrEqual(announced.length);
  } finally {
    store.close();
  }
});
