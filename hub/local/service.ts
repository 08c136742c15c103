// What the local broker and database have in common: a Debian binary found or named by its package, a child whose
// output goes to a log file in its folder, a readiness wait that fails with that log's tail, and a stop that waits.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { LOOPBACK } from './ports.ts';

/** The full path of `name`, searched on PATH and the sbin folders a non-root PATH often lacks. */
export function findBinary(name: string, aptPackage: string, extraDirs: readonly string[] = []): string {
  const dirs = [...extraDirs, ...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const dir of dirs.filter(Boolean)) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`${name} is not installed: install the Debian package with \`apt-get install ${aptPackage}\``);
}

/** The last lines of a log file, for an error message; empty when there is no log yet. */
export function logTail(file: string, lines = 15): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** What was appended to a log file after it was `offset` bytes long: the current start's lines only. */
export function logSince(file: string, offset: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file).subarray(offset).toString('utf8');
}

export function logSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

export function withLog(message: string, logFile: string): Error {
  const tail = logTail(logFile);
  return new Error(tail ? `${message}; the end of ${logFile}:\n${tail}` : message);
}

export interface Service {
  readonly child: ChildProcess;
  /** Resolves when the process has exited, whoever ended it. */
  readonly exited: Promise<void>;
  running(): boolean;
}

// Children still running when this process exits (a test that threw before its afterAll, a demo ended with ^C):
// they get SIGKILL rather than outliving us on a port the next run wants.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts `cmd` with stdout and stderr appended to `logFile`, so the service never blocks on a pipe nobody reads. */
export function spawnService(
  cmd: string,
  args: readonly string[],
  opts: { logFile: string; cwd: string; uid?: number; gid?: number },
): Service {
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', fd, fd], uid: opts.uid, gid: opts.gid });
  closeSync(fd);
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    // 'error' covers a spawn that failed (no 'exit' follows) and a signal that could not be sent.
    child.on('error', () => resolve());
    child.once('exit', () => resolve());
  }).finally(() => live.delete(child));
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  return { child, exited, running };
}

/** Signals the service and waits for it to exit; SIGKILL when it has not within `timeoutMs`. */
export async function stopService(service: Service, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<void> {
  if (!service.running()) return service.exited;
  service.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const outcome = await Promise.race([service.exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    service.child.kill('SIGKILL');
    await service.exited;
  }
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Polls `ready` until it is true. Fails with the log's tail when the service exits first (a rejected config, a port
 * taken between the check and the bind) or when `timeoutMs` passes.
 */
export async function waitReady(
  service: Service,
  ready: () => Promise<boolean>,
  what: { name: string; logFile: string; timeoutMs?: number },
): Promise<void> {
  const deadline = Date.now() + (what.timeoutMs ?? 30_000);
  for (;;) {
    if (!service.running()) {
      const how = service.child.exitCode !== null ? `exit ${service.child.exitCode}` : service.child.signalCode;
      throw withLog(`${what.name} stopped while starting (${how ?? 'could not run'})`, what.logFile);
    }
    if (await ready()) return;
    if (Date.now() > deadline) {
      throw withLog(`${what.name} was not ready within ${what.timeoutMs ?? 30_000} ms`, what.logFile);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A private server the tests and the workshop demo start: where it listens and lives, and how to end it. */
export interface LocalServer {
  port: number;
  dir: string;
  /** A clean shutdown: what was acknowledged is on disk. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  /** Stops it if running, then starts it again on the same port with the same data. */
  restart(): Promise<void>;
}

/**
 * A LocalServer's controls over its one running process: `stop` ends it cleanly (each server its own way), `kill`
 * is a crash, `restart` stops it if running and launches it again.
 */
export function serverControls(
  running: () => Service | undefined,
  stop: () => Promise<void>,
  launch: () => Promise<void>,
): Pick<LocalServer, 'stop' | 'kill' | 'restart'> {
  return {
    stop,
    kill: async () => {
      const service = running();
      if (service) await stopService(service, 'SIGKILL');
    },
    restart: async () => {
      await stop();
      await launch();
    },
  };
}
