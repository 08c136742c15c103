// The station unit's own command, run as systemd would run it: its ExecStart= split into words, in its
// WorkingDirectory= with its Environment=, and a real datagram socket as NOTIFY_SOCKET. The process says READY=1
// once it serves, pings the watchdog, and on SIGTERM (systemctl stop) says STOPPING=1 and exits 0.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readTarget, stationUnit } from '../../scripts/lib/service/installer.ts';
import { makeBench, writeConfigFile, type Bench } from '../runtime/harness.ts';
import { NotifyListener, until } from '../runtime/notifyListener.ts';

const projectDir = path.resolve(import.meta.dirname, '..', '..');
let bench: Bench;
let dir: string;
let listener: NotifyListener;

beforeAll(async () => {
  bench = await makeBench(1);
  dir = mkdtempSync(path.join(tmpdir(), 'exec-start-'));
  listener = await NotifyListener.start(dir);
});
afterAll(() => {
  listener?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(bench.dataDir, { recursive: true, force: true });
});

/** The value of `key=` in the unit (the last one, as systemd reads a repeated single-valued key). */
function key(unit: string, name: string): string {
  const values = unit.split('\n').filter((l) => l.startsWith(`${name}=`));
  if (!values.length) throw new Error(`the unit has no ${name}=`);
  return values[values.length - 1].slice(name.length + 1);
}

it("the unit's ExecStart runs a station that tells systemd it is ready, alive, and stopping", async () => {
  const unit = stationUnit(readTarget(writeConfigFile(bench), projectDir, 252));
  const [cmd, ...args] = key(unit, 'ExecStart').split(' ');
  const env = Object.fromEntries(
    key(unit, 'Environment')
      .split(' ')
      .map((kv) => kv.split('=') as [string, string]),
  );
  const child = spawn(cmd, args, {
    cwd: key(unit, 'WorkingDirectory'),
    // What systemd gives a Type=notify service with WatchdogSec=: the socket and the period (3 s here, to be quick).
    env: { PATH: process.env.PATH, ...env, NOTIFY_SOCKET: listener.socket, WATCHDOG_USEC: '3000000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await until(() => listener.count('READY=1') === 1, `READY=1; the station said:\n${output}`, 120_000);
    expect(output).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+/);
    await until(() => listener.count('WATCHDOG=1') >= 2, 'watchdog pings');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  await until(() => listener.count('STOPPING=1') === 1, 'STOPPING=1');
});
