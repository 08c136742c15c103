/**
 * `npm run service -- install [--config /etc/bench-qa/bench.json]`: the station as a systemd service, started at
 * boot under its own user. `kiosk`: the Live page full-screen on the bench screen. `uninstall`, `status`.
 * Where systemd is not the running init, it says so and prints the units it would write.
 */
import { dirname, join, resolve } from 'node:path';
import { findBinary } from '../hub/local/service.ts';
import { KIOSK_UNIT } from './lib/service/kioskUnit.ts';
import {
  DEFAULT_CONFIG_FILE,
  installKiosk,
  installStation,
  kioskUnit,
  readTarget,
  stationUnit,
  status,
  uninstall,
  type Target,
} from './lib/service/installer.ts';
import { STATION_UNIT } from './lib/service/stationUnit.ts';
import { systemdRunning, systemdVersion, UNIT_DIR } from './lib/service/systemd.ts';

const USAGE = 'usage: npm run service -- install|kiosk|uninstall|status [--config <station config file>]';
/** Exit status when systemd is absent: nothing was done, and a script calling us must not think otherwise. */
const NO_SYSTEMD_EXIT = 2;

const projectDir = resolve(dirname(new URL(import.meta.url).pathname), '..');
const say = (line: string) => console.log(line);

function parse(argv: string[]): { command: string; configFile: string } {
  const [command, ...rest] = argv;
  let configFile = DEFAULT_CONFIG_FILE;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--config' && rest[i + 1]) configFile = rest[++i];
    else throw new Error(`unknown argument ${rest[i]}\n${USAGE}`);
  }
  if (!['install', 'kiosk', 'uninstall', 'status'].includes(command ?? '')) throw new Error(USAGE);
  return { command, configFile };
}

/** cage and chromium where Debian puts them; a missing one is named with its package. */
function kioskBinaries(strict: boolean): { cage: string; chromium: string } {
  const find = (name: string) => {
    try {
      return findBinary(name, name);
    } catch (err) {
      if (strict) throw err;
      return `/usr/bin/${name}`;
    }
  };
  return { cage: find('cage'), chromium: find('chromium') };
}

function printUnits(t: Target, command: string): void {
  const units: [string, string][] = [[STATION_UNIT, stationUnit(t)]];
  if (command !== 'install') units.push([KIOSK_UNIT, kioskUnit(t, kioskBinaries(false))]);
  for (const [name, text] of units) say(`\n# ---- ${join(UNIT_DIR, name)} ----\n${text}`);
}

function withoutSystemd(command: string, configFile: string): never {
  say(
    `systemd is not running on this machine (no /run/systemd/system: a container, a chroot or another init), ` +
      `so \`service ${command}\` did nothing. On a bench PC booted with systemd it manages these units:`,
  );
  try {
    printUnits(readTarget(configFile, projectDir, systemdVersion()), command);
  } catch (err) {
    say(`(the units cannot be shown: ${(err as Error).message})`);
  }
  process.exit(NO_SYSTEMD_EXIT);
}

try {
  const { command, configFile } = parse(process.argv.slice(2));
  if (!systemdRunning()) withoutSystemd(command, configFile);
  if (command === 'status') status(say);
  else if (command === 'uninstall') uninstall(say);
  else {
    const target = readTarget(configFile, projectDir, systemdVersion());
    if (command === 'install') installStation(target, say);
    else installKiosk(target, kioskBinaries(true), say);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
