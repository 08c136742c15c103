/**
 * The hub as `npm run hub` runs it, in a child process: so a test can really SIGKILL it mid-ingest, and the workshop
 * benchmark can read the hub's own memory apart from the simulated stations'. Its output goes to a log file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HubProcess {
  /** The hub's HTTP address, from its "workshop hub on …" line. */
  url: string;
  pid: number;
  /** Resident memory now and its peak (VmRSS, VmHWM), in MiB. */
  memory(): { rssMiB: number; peakMiB: number };
  /** SIGTERM (a clean close) or SIGKILL (a crash); resolves once it has exited. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

const READY = /workshop hub on (\S+)/;

export async function spawnHub(configFile: string, logFile: string, timeoutMs = 60_000): Promise<HubProcess> {
  const fd = openSync(logFile, 'a');
  const from = readFileSync(logFile).length;
  // node --import tsx rather than the tsx command, which runs the program in a child of its own: a SIGKILL must reach
  // the hub itself, and /proc/<pid> must be the hub's.
  const args = ['--import', 'tsx', join(root, 'hub', 'main.ts'), '--config', configFile];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  // A caller that dies before stopping it (a failed benchmark, a test worker ended) takes the hub along.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', orphaned);
      resolve();
    }),
  );
  const output = () => readFileSync(logFile).subarray(from).toString('utf8');
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!url) {
    url = READY.exec(output())?.[1];
    if (url) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the hub did not start (${child.exitCode === null ? 'timed out' : `exit ${child.exitCode}`}):\n${output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid ?? 0;
  const status = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  };
  return {
    url,
    pid,
    memory: () => ({ rssMiB: status('VmRSS'), peakMiB: status('VmHWM') }),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
