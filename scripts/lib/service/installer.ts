// `npm run service`: what install, kiosk, uninstall and status do to the machine. The unit texts come from the
// pure renderers; this file creates users and folders, writes the files and drives systemctl. Where systemd is not
// the running init (a container, a chroot), nothing is touched: the caller prints the units instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertReachable, chownTree, isRoot, systemUser } from '../../../hub/local/systemUser.ts';
import { loadConfig, resolvePath, type StationConfig } from '../../../station/config.ts';
import { KIOSK_PAM, KIOSK_UNIT, KIOSK_USER, renderKioskPam, renderKioskUnit } from './kioskUnit.ts';
import { renderStationUnit, STATION_UNIT, STATION_USER } from './stationUnit.ts';
import { systemctl, systemctlStatus, UNIT_DIR } from './systemd.ts';

export const DEFAULT_CONFIG_FILE = '/etc/bench-qa/bench.json';
const PAM_FILE = `/etc/pam.d/${KIOSK_PAM}`;
/** The systemd Debian 12 ships: what a unit is rendered for when no systemd can be asked. */
export const FALLBACK_SYSTEMD_VERSION = 252;

export interface Target {
  projectDir: string;
  node: string;
  configFile: string;
  config: StationConfig;
  systemdVersion: number;
}

export type Say = (line: string) => void;

/** Reads the config the service will run with; a missing or wrong one stops here, not at the first boot. */
export function readTarget(configFile: string, projectDir: string, systemdVersion: number | null): Target {
  const file = resolve(configFile);
  if (!existsSync(file)) {
    throw new Error(
      `the station config ${file} does not exist: write it first (README "Configuration"; at least "dataDir" and ` +
        `"camera"), or name another with --config`,
    );
  }
  return {
    projectDir,
    node: process.execPath,
    configFile: file,
    config: loadConfig(file),
    systemdVersion: systemdVersion ?? FALLBACK_SYSTEMD_VERSION,
  };
}

/** The folders the station writes, each resolved as the station resolves it. */
export function writableDirs(t: Target): string[] {
  const { config } = t;
  const dirs = [resolvePath(config, config.dataDir), resolvePath(config, config.calibrationDir)];
  if (config.backup) dirs.push(resolvePath(config, config.backup.folder));
  return dirs;
}

export function stationUnit(t: Target): string {
  return renderStationUnit({ ...t, writableDirs: writableDirs(t) });
}

/** The station's own address as the bench screen reaches it: loopback unless it listens on one address only. */
export function liveUrls(config: StationConfig): { url: string; healthUrl: string } {
  const { host, port } = config.server;
  const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const base = `http://${reach}:${port}`;
  return { url: `${base}/?kiosk=1`, healthUrl: `${base}/healthz` };
}

export function kioskUnit(t: Target, found: { cage: string; chromium: string }): string {
  return renderKioskUnit({ ...liveUrls(t.config), node: t.node, projectDir: t.projectDir, ...found });
}

function run(cmd: string, args: string[], say: Say): void {
  say(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

function requireRoot(what: string): void {
  if (!isRoot()) throw new Error(`${what} changes system files and users: run it as root (sudo npm run service -- …)`);
}

function groupExists(name: string): boolean {
  return readFileSync('/etc/group', 'utf8')
    .split('\n')
    .some((l) => l.startsWith(`${name}:`));
}

/** A system account with no login shell, in the groups that open cameras (video) and serial ports (dialout). */
function ensureUser(name: string, home: string, groups: string[], say: Say): void {
  const present = groups.filter(groupExists);
  const exists = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .some((l) => l.startsWith(`${name}:`));
  if (exists) {
    if (present.length) run('usermod', ['--append', '--groups', present.join(','), name], say);
    return;
  }
  const args = ['--system', '--user-group', '--home-dir', home, '--no-create-home', '--shell', '/usr/sbin/nologin'];
  run('useradd', [...args, ...(present.length ? ['--groups', present.join(',')] : []), name], say);
}

function writeUnit(name: string, text: string, say: Say): void {
  const file = join(UNIT_DIR, name);
  writeFileSync(file, text);
  say(`wrote ${file}`);
}

export function installStation(t: Target, say: Say): void {
  requireRoot('install');
  const dirs = writableDirs(t);
  ensureUser(STATION_USER, dirs[0], ['video', 'dialout'], say);
  const user = systemUser(STATION_USER, 'passwd');
  assertReachable(join(t.projectDir, 'station', 'main.ts'), user);
  assertReachable(t.configFile, user);
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    chownTree(dir, user);
    say(`${dir} belongs to ${STATION_USER}`);
  }
  // The service runs the station directly, never the setup: prepare models and the dashboard now, once.
  run(t.node, [join(t.projectDir, 'scripts', 'setup.mjs')], say);
  writeUnit(STATION_UNIT, stationUnit(t), say);
  systemctl('daemon-reload');
  systemctl('enable', STATION_UNIT);
  // restart, not start: installing again after an upgrade must run the new code.
  systemctl('restart', STATION_UNIT);
  say(`${STATION_UNIT} is enabled and (re)started; follow it with: journalctl -u ${STATION_UNIT} -f`);
}

export function installKiosk(t: Target, found: { cage: string; chromium: string }, say: Say): void {
  requireRoot('kiosk');
  const home = `/var/lib/${KIOSK_USER}`;
  // render and input: the compositor opens the GPU and the touch screen when logind has not granted them.
  ensureUser(KIOSK_USER, home, ['video', 'render', 'input'], say);
  mkdirSync(home, { recursive: true });
  chownTree(home, systemUser(KIOSK_USER, 'passwd'));
  writeFileSync(PAM_FILE, renderKioskPam());
  say(`wrote ${PAM_FILE}`);
  writeUnit(KIOSK_UNIT, kioskUnit(t, found), say);
  systemctl('daemon-reload');
  // The kiosk belongs to the graphical boot; a bench PC installed as a server boots to multi-user otherwise.
  systemctl('set-default', 'graphical.target');
  say('the default boot target is now graphical.target');
  systemctl('enable', '--now', KIOSK_UNIT);
  say(`${KIOSK_UNIT} is enabled: the bench screen shows ${liveUrls(t.config).url} at boot`);
}

/** Removes both units; the users and every data folder stay (the workshop's record is not the installer's). */
export function uninstall(say: Say): void {
  requireRoot('uninstall');
  for (const unit of [KIOSK_UNIT, STATION_UNIT]) {
    const file = join(UNIT_DIR, unit);
    if (!existsSync(file)) continue;
    spawnSync('systemctl', ['disable', '--now', unit], { stdio: 'inherit' });
    rmSync(file);
    say(`removed ${file}`);
  }
  rmSync(PAM_FILE, { force: true });
  systemctl('daemon-reload');
  say(`the users ${STATION_USER} and ${KIOSK_USER} and the data folders were kept (userdel removes a user)`);
}

export function status(say: Say): void {
  for (const unit of [STATION_UNIT, KIOSK_UNIT]) say(systemctlStatus(unit));
}
