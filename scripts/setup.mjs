#!/usr/bin/env node
// One setup step for `npm start` and `npm test` on a fresh Debian machine.
// Plain Node with no dependencies: it has to run before `npm ci` has installed anything.
// Each step checks first and does nothing when its result is already there, so the
// everything-present path costs a few file stats and one dpkg query.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--for-tests');
// `npm run workshop` and `npm run bench:workshop` start a local broker and database.
const forWorkshop = process.argv.includes('--for-workshop');
const quiet = process.argv.includes('--quiet');

// libopencv-dev: the OpenCV binding compiles against it. socat: under systemd, the station's notifications
// (READY=1, watchdog pings) go through it, as Node has no unix datagram sockets (station/runtime/sdNotify.ts).
// The workshop network's real broker and database (mosquitto brings mosquitto_passwd) for `npm run workshop`,
// which starts private instances of both. The rest exist only for the tests: a real browser for the dashboard,
// pty pairs for serial, udevadm for SerialPort.list(), the broker and database again, systemd-analyze (in
// `systemd`) to verify the service units, and cage, which the kiosk unit runs and `systemd-analyze verify` wants.
// A bench screen needs cage and chromium too: `npm run service -- kiosk` names them when they are missing.
const APT_RUNTIME = ['libopencv-dev', 'socat'];
const APT_WORKSHOP = ['mosquitto', 'postgresql'];
const APT_TESTS = ['chromium', 'udev', 'systemd', 'cage', ...APT_WORKSHOP];

// Install-time environment measured in ../shared/PLATFORM-NOTES.md: the OpenCV binding must not try
// to build its own OpenCV, and onnxruntime-node must not try to download CUDA extras offline.
// JOBS=max: node-gyp compiles the native bindings (OpenCV's is ~100 C++ files) on every core, not one.
export const INSTALL_ENV = { OPENCV4NODEJS_DISABLE_AUTOBUILD: '1', ONNXRUNTIME_NODE_INSTALL: 'skip', JOBS: 'max' };

const STAMP = join(root, 'node_modules', '.bench-qa-setup-stamp');

function say(msg) {
  if (!quiet) process.stderr.write(`setup: ${msg}\n`);
}

class SetupStop extends Error {}

function run(cmd, args, env = {}) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error || r.status !== 0) {
    throw new SetupStop(
      `\`${cmd} ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`}). Fix the cause above and run the command again.`,
    );
  }
}

function onPath(cmd) {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return dirs.some((d) => existsSync(join(d, cmd)));
}

function missingAptPackages(packages) {
  if (!onPath('dpkg-query')) return packages; // not Debian-like: everything counts as missing
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${Package} and ${db:Status-Status} are dpkg-query's own format fields, not JS interpolation
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...packages], { encoding: 'utf8' });
  const installed = new Set(
    (r.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0]),
  );
  return packages.filter((p) => !installed.has(p));
}

function canInstallApt() {
  return typeof process.getuid === 'function' && process.getuid() === 0 && onPath('apt-get');
}

function ensureAptPackages() {
  const wanted = [...APT_RUNTIME, ...(forTests ? APT_TESTS : forWorkshop ? APT_WORKSHOP : [])];
  const missing = missingAptPackages(wanted);
  if (missing.length === 0) return;
  if (!canInstallApt()) {
    throw new SetupStop(
      `these system packages are missing: ${missing.join(', ')}, and this setup cannot install them ` +
        `(it needs root and apt-get). Run, then try again:\n` +
        `  sudo apt-get update\n  sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  say(`installing system packages: ${missing.join(', ')}`);
  run('apt-get', ['update'], { DEBIAN_FRONTEND: 'noninteractive' });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { DEBIAN_FRONTEND: 'noninteractive' });
}

function lockHash() {
  const lock = join(root, 'package-lock.json');
  if (!existsSync(lock))
    throw new SetupStop(
      'package-lock.json is missing; the project ships one. Restore it with `git checkout package-lock.json`.',
    );
  return createHash('sha256').update(readFileSync(lock)).update(process.version).digest('hex');
}

function ensureNodeModules() {
  const want = lockHash();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === want) return;
  say('installing npm packages (the first time compiles the OpenCV binding: several minutes)');
  run('npm', ['ci', '--no-audit', '--no-fund'], INSTALL_ENV);
  writeFileSync(STAMP, want);
}

function sha256File(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Generated models are build outputs: present, matching their manifests and their sources' cost, or rebuilt. */
function modelsReady() {
  const dir = join(root, 'models', 'generated');
  const sources = JSON.parse(readFileSync(join(root, 'models', 'sources.json'), 'utf8'));
  for (const id of Object.keys(sources.models ?? {})) {
    const manifestPath = join(dir, `${id}.json`);
    if (!existsSync(manifestPath)) return false;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const onnx = join(dir, manifest.file);
    if (!existsSync(onnx) || sha256File(onnx) !== manifest.sha256) return false;
    // A re-measured cost model needs only the manifest rewritten (prepare.ts syncCost), but it must reach it.
    if (JSON.stringify(manifest.cost) !== JSON.stringify(sources.models[id].cost)) return false;
  }
  return true;
}

function ensureModels() {
  if (modelsReady()) return;
  say('preparing models from the installed packages');
  run(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'models', 'prepare.ts')]);
}

/** The dashboard's browser code is compiled by tsc into dashboard/dist (no bundler, nothing from a CDN). */
function ensureDashboard() {
  const srcDir = join(root, 'dashboard', 'src');
  const stampFile = join(root, 'dashboard', 'dist', '.stamp');
  const h = createHash('sha256').update(readFileSync(join(root, 'dashboard', 'tsconfig.json')));
  for (const f of readdirSync(srcDir).sort()) h.update(f).update(readFileSync(join(srcDir, f)));
  const want = h.digest('hex');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want) return;
  say('building the dashboard');
  run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'dashboard')]);
  writeFileSync(stampFile, want);
}

try {
  ensureAptPackages();
  ensureNodeModules();
  ensureModels();
  ensureDashboard();
} catch (err) {
  if (err instanceof SetupStop) {
    process.stderr.write(`\nsetup stopped: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
