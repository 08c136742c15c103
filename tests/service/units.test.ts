// The service units as systemd reads them: rendered with real paths (this node, this checkout, Debian's cage and
// chromium) and checked by `systemd-analyze verify`, which needs no running systemd: it parses the file, resolves
// its dependencies from the installed unit folders and checks that every Exec*= command is an executable file.
// An unknown or malformed key only warns (exit 0), so a clean verify here means exit 0 *and* nothing printed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBinary } from '../../hub/local/service.ts';
import { KIOSK_UNIT } from '../../scripts/lib/service/kioskUnit.ts';
import { kioskUnit, readTarget, stationUnit } from '../../scripts/lib/service/installer.ts';
import { renderStationUnit, STATION_UNIT } from '../../scripts/lib/service/stationUnit.ts';
import { systemdRunning } from '../../scripts/lib/service/systemd.ts';

const projectDir = path.resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'service-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const configFile = path.join(dir, 'bench.json');
writeFileSync(
  configFile,
  JSON.stringify({
    dataDir: path.join(dir, 'data'),
    calibrationDir: path.join(dir, 'calibration'),
    camera: { kind: 'usb', device: '/dev/video0' },
    server: { port: 8090 },
    backup: { folder: path.join(dir, 'backups'), keepDays: 7 },
  }),
);

function verify(name: string, text: string): { status: number | null; output: string } {
  const unitDir = mkdtempSync(path.join(dir, 'unit-'));
  const file = path.join(unitDir, name);
  writeFileSync(file, text);
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', cwd: unitDir });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

const found = () => ({ cage: findBinary('cage', 'cage'), chromium: findBinary('chromium', 'chromium') });

describe('service units', () => {
  const target = readTarget(configFile, projectDir, 252);

  it('the station unit passes systemd-analyze verify', () => {
    const unit = stationUnit(target);
    expect(unit).toContain(
      `ExecStart=${process.execPath} --import tsx ${projectDir}/station/main.ts --config ${configFile}`,
    );
    expect(unit).toMatch(/^Type=notify$/m);
    expect(unit).toMatch(/^WatchdogSec=/m);
    expect(unit).toMatch(/^SupplementaryGroups=video dialout$/m);
    expect(unit).toContain(`ReadWritePaths=-${dir}/data -${dir}/calibration -${dir}/backups`);
    expect(verify(STATION_UNIT, unit)).toEqual({ status: 0, output: '' });
  });

  it('the kiosk unit passes systemd-analyze verify', () => {
    const unit = kioskUnit(target, found());
    expect(unit).toContain('http://127.0.0.1:8090/?kiosk=1');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/cage .* \/usr\/bin\/chromium --kiosk /m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(verify(KIOSK_UNIT, unit)).toEqual({ status: 0, output: '' });
  });

  it('renders the growing restart back-off only for a systemd that knows it', () => {
    const input = { projectDir, node: process.execPath, configFile, writableDirs: [dir] };
    expect(renderStationUnit({ ...input, systemdVersion: 254 })).toMatch(/^RestartSteps=\d+$/m);
    // This machine's systemd (252) reads the newer keys as unknown: the verify above would have said so.
    const old = renderStationUnit({ ...input, systemdVersion: 252 });
    expect(old).not.toMatch(/^(RestartSteps|RestartMaxDelaySec)=/m);
    expect(verify('newer.service', renderStationUnit({ ...input, systemdVersion: 254 })).output).toMatch(
      /Unknown key 'RestartSteps'/,
    );
  });

  it('refuses a missing config with the file named, before touching anything', () => {
    expect(() => readTarget(path.join(dir, 'nope.json'), projectDir, 252)).toThrow(/nope\.json does not exist/);
  });
});

function service(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/service.ts', ...args], {
    cwd: projectDir,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe.skipIf(systemdRunning())('npm run service where systemd is not running', () => {
  for (const command of ['install', 'uninstall', 'status', 'kiosk']) {
    it(`${command} says so plainly, changes nothing and prints the units`, () => {
      const r = service(command, '--config', configFile);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(/^systemd is not running on this machine/);
      expect(r.stdout).toContain(`# ---- /etc/systemd/system/${STATION_UNIT} ----`);
      expect(r.stdout).toContain(`--config ${configFile}`);
      if (command !== 'install') expect(r.stdout).toContain(`# ---- /etc/systemd/system/${KIOSK_UNIT} ----`);
    });
  }

  it('an unknown command gets the usage, not a stack trace', () => {
    const r = service('instal');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^usage: npm run service -- install\|kiosk\|uninstall\|status/);
  });
});
