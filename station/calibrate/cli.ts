/**
 * npm run calibrate -- <product> | --all   [--activate N] [--list] [--no-activate] [--bands-from-rejects]
 *                      [--data <dir>] [--calibration <dir>] [--config <file>] [--model <manifest.json>]
 * npm run calibrate -- --import <file.refset> --product <id> [--no-activate]
 * Builds a new reference-set version per product from calibration/<product>/, activates an
 * existing version (rollback), or brings in a reference set calibrated on another bench.
 * Data and calibration folders default to the station config's.
 */
import { parseArgs } from 'node:util';
import { loadConfig, resolvePath } from '../config.ts';
import { openStore, type Store } from '../store/index.ts';
import type { EngineFactory } from './engine.ts';
import { listProducts } from '../products/folders.ts';
import { calibrateProduct, type Stage } from './run.ts';
import { importReferenceSet } from '../referenceSets/importSet.ts';
import { activateVersion, describeVersions } from '../referenceSets/versions.ts';
import { enginePool, type EnginePool } from '../engines/pool.ts';
import { calibrationEngines, type CalibrationEngines } from './visionEngine.ts';
import { backbonesOf, decodeReferenceSet } from '../vision/referenceSet.ts';

export const USAGE = `usage: npm run calibrate -- <product> [--all] [--activate N] [--list] [--no-activate] [--bands-from-rejects]
         [--data <dir>] [--calibration <dir>] [--config <file>] [--model <manifest.json>] [--folds K] [--bootstrap B]
       npm run calibrate -- --import <file.refset> --product <id> [--no-activate] [--data <dir>] [--calibration <dir>]`;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Stage progress: a bar on a TTY, one line per stage otherwise (so logs show where it got to). */
function progressPrinter(stream: CliIo['stderr']) {
  const tty = Boolean((stream as NodeJS.WriteStream).isTTY);
  let stage = '';
  let last = 0;
  return {
    update(s: Stage, done: number, total: number) {
      if (!tty) {
        if (s !== stage) stream.write(`calibrate: ${s} (${total})\n`);
        stage = s;
        return;
      }
      const now = Date.now();
      if (s === stage && done < total && now - last < 100) return;
      stage = s;
      last = now;
      const width = 28;
      const filled = Math.round((done / Math.max(1, total)) * width);
      stream.write(`\r${s.padEnd(17)} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}   `);
    },
    end() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/^v/i, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got "${v}"`);
  return n;
}

const parseCli = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      all: { type: 'boolean' },
      activate: { type: 'string' },
      list: { type: 'boolean' },
      'no-activate': { type: 'boolean' },
      'bands-from-rejects': { type: 'boolean' },
      data: { type: 'string' },
      'data-dir': { type: 'string' },
      calibration: { type: 'string' },
      config: { type: 'string' },
      model: { type: 'string' },
      folds: { type: 'string' },
      bootstrap: { type: 'string' },
      import: { type: 'string' },
      product: { type: 'string' },
      help: { type: 'boolean' },
    },
  });

type CliArgs = ReturnType<typeof parseCli>;

/** The parsed arguments, or the exit code when they are wrong (2, with the usage) or only ask for help (0). */
function readArguments(argv: string[], io: CliIo): CliArgs | number {
  let parsed: CliArgs;
  try {
    parsed = parseCli(argv);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // --product names the product as the positional does (the import command reads better with it).
  if (v.product !== undefined) positionals.push(v.product);
  if ((positionals.length === 0 && !v.all) || positionals.length > 1 || (v.all && positionals.length > 0)) {
    io.stderr.write(`name one product, or --all\n${USAGE}\n`);
    return 2;
  }
  return parsed;
}

/**
 * The engine factory, made on first use (listing versions needs none). Without an injected one the station's
 * engine pool is loaded: `pool` knows which backbones the station has, `tune` self-tunes over them.
 */
function lazyEngines(modelPath: () => string, injected: EngineFactory | undefined) {
  let engineFor = injected;
  let pool: EnginePool | undefined;
  let tune: CalibrationEngines['tune'] | undefined;
  return {
    async get(): Promise<EngineFactory> {
      if (!engineFor) {
        pool = await enginePool(modelPath());
        ({ engineFor, tune } = calibrationEngines(pool));
      }
      return engineFor;
    },
    /** The station's pool; undefined with an injected factory (tests), or before get(). */
    get pool() {
      return pool;
    },
    get tune() {
      return tune;
    },
    async close(): Promise<void> {
      await pool?.close();
    },
  };
}

type Engines = ReturnType<typeof lazyEngines>;

/** Rollback (or roll forward): makes an existing version active, once its file is known to load. */
async function activateCommand(
  store: Store,
  productId: string,
  version: number,
  engines: Engines,
  io: CliIo,
): Promise<number> {
  // Check the file still loads here before switching to it. A product may run another backbone of the pool than
  // the station's default, so the file says which, and the pool must hold it; an injected engine checks itself.
  const factory = await engines.get();
  const pool = engines.pool;
  const injected = pool ? null : await factory({ inputMode: 'pad' });
  const row = activateVersion(store, productId, version, (bytes, file) => {
    if (injected) return void injected.deserialise(bytes, file);
    const missing = backbonesOf(decodeReferenceSet(bytes, { source: file })).find((m) => !pool!.hasBackbone(m.sha256));
    if (missing)
      throw new Error(
        `${file}: built with backbone ${missing.id}, which this station does not have; rebuild it (npm run calibrate)`,
      );
  });
  io.stdout.write(`${productId}: v${row.version} is now active\n${describeVersions(store, productId)}\n`);
  return 0;
}

/** Brings a reference set from another bench in as the product's next version (no recalibration). */
async function importCommand(
  store: Store,
  productId: string,
  file: string,
  calibrationDir: string,
  engines: Engines,
  activate: boolean,
  io: CliIo,
): Promise<number> {
  // The station's backbone pool must hold the set's backbone; an injected engine (tests) is not asked.
  await engines.get();
  const pool = engines.pool;
  const r = await importReferenceSet({
    store,
    productId,
    file,
    calibrationDir,
    activate,
    ...(pool ? { hasBackbone: (sha: string) => pool.hasBackbone(sha) } : {}),
  });
  io.stdout.write(
    `${productId}: ${file} stored as reference set v${r.version} (${r.refsetFile})` +
      `${r.activated ? ' and activated' : ` (not activated: --activate ${r.version} to use it)`}\n` +
      `${describeVersions(store, productId)}\n`,
  );
  return 0;
}

/** What every product's calibration shares. */
interface CalibrationRun {
  store: Store;
  calibrationDir: string;
  engines: Engines;
  args: CliArgs['values'];
  folds: number | undefined;
  bootstrap: number | undefined;
  progress: ReturnType<typeof progressPrinter>;
  io: CliIo;
}

/** Calibrates each product in turn; with --all, one product's failure is reported and the others still run. */
async function calibrateEach(products: string[], run: CalibrationRun): Promise<number> {
  const { progress, io } = run;
  let failed = 0;
  for (const productId of products) {
    let r: Awaited<ReturnType<typeof calibrateProduct>>;
    try {
      r = await calibrateOne(productId, run);
    } catch (err) {
      if (products.length === 1) throw err;
      progress.end();
      io.stderr.write(`calibrate: ${productId}: ${(err as Error).message}\n`);
      failed++;
      continue;
    }
    progress.end();
    io.stdout.write(r.text);
    io.stdout.write(
      `\n${productId}: reference set v${r.version} written to ${r.refsetFile}` +
        `${r.activated ? ' and activated' : ` (not activated: --activate ${r.version} to use it)`}\n` +
        `report: ${r.reportFiles.text}\n\n`,
    );
  }
  if (failed)
    io.stderr.write(
      `calibrate: ${failed} of ${products.length} product(s) failed; their active versions are unchanged\n`,
    );
  return failed ? 1 : 0;
}

async function calibrateOne(productId: string, run: CalibrationRun) {
  const { args: v, progress } = run;
  return calibrateProduct({
    productId,
    calibrationDir: run.calibrationDir,
    store: run.store,
    engineFor: await run.engines.get(),
    tune: run.engines.tune,
    activate: !v['no-activate'],
    bandsFrom: v['bands-from-rejects'] ? 'rejects' : 'rates',
    folds: run.folds,
    bootstrap: run.bootstrap,
    onProgress: (s, d, n) => progress.update(s, d, n),
    onStep: holdForTests(run.io),
  });
}

export async function runCalibrateCli(
  argv: string[],
  io: CliIo,
  deps: { engineFor?: EngineFactory } = {},
): Promise<number> {
  const parsed = readArguments(argv, io);
  if (typeof parsed === 'number') return parsed;
  const { values: v, positionals } = parsed;
  let store: Store | undefined;
  let engines: Engines | undefined;
  const progress = progressPrinter(io.stderr);
  try {
    const config = loadConfig(v.config ?? io.env.STATION_CONFIG);
    const dataDir = v.data ?? v['data-dir'] ?? resolvePath(config, config.dataDir);
    const calibrationDir = v.calibration ?? resolvePath(config, config.calibrationDir);
    const folds = positiveInt('folds', v.folds);
    const bootstrap = positiveInt('bootstrap', v.bootstrap);
    const products = v.all ? listProducts(calibrationDir) : positionals;
    if (products.length === 0) throw new Error(`no product folders with a product.json under ${calibrationDir}`);
    store = openStore(dataDir);

    if (v.list) {
      for (const p of products) io.stdout.write(`${describeVersions(store, p)}\n`);
      return 0;
    }
    engines = lazyEngines(() => v.model ?? resolvePath(config, config.model), deps.engineFor);
    if (v.import !== undefined) {
      if (products.length !== 1 || v.all) throw new Error('--import takes one product (--product <id>)');
      return await importCommand(store, products[0], v.import, calibrationDir, engines, !v['no-activate'], io);
    }
    if (v.activate !== undefined) {
      if (products.length !== 1) throw new Error('--activate takes one product');
      return await activateCommand(store, products[0], positiveInt('activate', v.activate)!, engines, io);
    }
    return await calibrateEach(products, { store, calibrationDir, engines, args: v, folds, bootstrap, progress, io });
  } catch (err) {
    progress.end();
    io.stderr.write(`calibrate: ${(err as Error).message}\n`);
    return 1;
  } finally {
    store?.close();
    await engines?.close();
  }
}

/**
 * CALIBRATE_HOLD_AFTER=<file|report|row> makes the process stop and wait after that durable step,
 * so the interruption test can kill it at the worst moments. Unset in normal use.
 */
function holdForTests(io: CliIo): ((step: string) => void) | undefined {
  const at = io.env.CALIBRATE_HOLD_AFTER;
  if (!at) return undefined;
  return (step) => {
    if (step !== at) return;
    io.stderr.write(`calibrate: holding after ${step}\n`);
    const sab = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(sab, 0, 0, 600_000); // block here until killed
  };
}
