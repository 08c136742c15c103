// What the installer asks of the machine's systemd: is it the running init, which version, and systemctl.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const UNIT_DIR = '/etc/systemd/system';

/** sd_booted(): systemd is the running init exactly when this folder exists. */
export function systemdRunning(root = '/'): boolean {
  return existsSync(`${root === '/' ? '' : root}/run/systemd/system`);
}

/** The installed systemd's version (e.g. 252), from `systemctl --version` or `systemd-analyze --version`. */
export function systemdVersion(): number | null {
  for (const cmd of ['systemctl', 'systemd-analyze']) {
    const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
    const m = /^systemd (\d+)/.exec(r.stdout ?? '');
    if (m) return Number(m[1]);
  }
  return null;
}

/** Runs systemctl; throws with its own words when it fails (a unit that does not exist, a failed start). */
export function systemctl(...args: string[]): string {
  const r = spawnSync('systemctl', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`systemctl ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`systemctl ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** `systemctl status` prints and exits non-zero for a stopped unit: that is an answer, not a failure. */
export function systemctlStatus(unit: string): string {
  const r = spawnSync('systemctl', ['status', '--no-pager', '--lines=10', unit], { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').trimEnd();
}
