import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** A bin folder of stand-ins that record being called, so a test can tell what setup tried to run. */
function fakeBin(scripts: Record<string, string>): { dir: string; calls: string } {
  const dir = mkdtempSync(join(tmpdir(), 'setup-bin-'));
  const calls = join(dir, 'calls.log');
  for (const [name, body] of Object.entries(scripts)) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> ${calls}\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return { dir, calls };
}

function runSetup(path: string) {
  return spawnSync(process.execPath, [join(root, 'scripts', 'setup.mjs'), '--for-tests'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: path },
  });
}

describe('setup step', () => {
  it('does nothing when everything is present', () => {
    // Installers that fail loudly if touched; the real dpkg-query stays on PATH behind them.
    const { dir, calls } = fakeBin({ 'apt-get': 'exit 97', npm: 'exit 98' });
    const r = runSetup(`${dir}:/usr/bin:/bin`);
    expect(r.stderr).not.toContain('setup stopped');
    expect(r.status).toBe(0);
    expect(existsSync(calls)).toBe(false);
  });

  it('stops with the exact commands when it cannot install system packages', () => {
    // dpkg-query that knows no packages, and no apt-get on PATH: nothing can be installed.
    const { dir, calls } = fakeBin({ 'dpkg-query': 'exit 1' });
    const r = runSetup(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'these system packages are missing: libopencv-dev, socat, chromium, udev, systemd, cage, mosquitto, postgresql',
    );
    expect(r.stderr).toContain(
      'sudo apt-get install -y libopencv-dev socat chromium udev systemd cage mosquitto postgresql',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // one message, no stack trace
    expect(readFileSync(calls, 'utf8')).toMatch(/^dpkg-query -W/);
  });

  it('refuses to guess when the lock file is gone', () => {
    const copy = mkdtempSync(join(tmpdir(), 'setup-root-'));
    mkdirSync(join(copy, 'scripts'));
    writeFileSync(join(copy, 'scripts', 'setup.mjs'), readFileSync(join(root, 'scripts', 'setup.mjs')));
    const r = spawnSync(process.execPath, [join(copy, 'scripts', 'setup.mjs')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('package-lock.json is missing');
  });
});
