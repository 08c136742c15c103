/**
 * The whole station on one screen:
 *
 *   frame source ──► presence trigger ──► inspectFrame (engine → verdict → evidence → SQLite) ──► announce + stack light
 *
 * Every other file is a part; this one only connects them and owns the selection
 * (product, maker) and the loaded reference sets.
 */
import { readManifest } from '../models/manifest-file.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { runInChild } from './calibrate/child/runInChild.ts';
import { calibrateProduct, listProducts } from './calibrate/run.ts';
import { activateVersion } from './calibrate/versions.ts';
import { loadProductConfig } from './calibrate/productConfig.ts';
import { visionEngines } from './calibrate/visionEngine.ts';
import { createFrameSource, type CaptureConfig, type Frame, type FrameSource } from './capture/index.ts';
import { resolvePath, type StationConfig } from './config.ts';
import { DEMO_FRAME, DEMO_PRODUCT, ensureDemo } from './demo/demoStation.ts';
import { loadActiveProduct, type ActiveProduct } from './runtime/activeProduct.ts';
import { inspectFrame } from './runtime/inspectFrame.ts';
import { createServer, type StationControl, type StationServer, type StationState } from './server/index.ts';
import { createBarcodeReader, type BarcodeReader } from './signals/barcode.ts';
import type { PortStatus } from './signals/lineProtocol.ts';
import { createStackLight, type StackLight, type StackLightState } from './signals/stackLight.ts';
import { createUsbWatch, type UsbWatch } from './signals/usbWatch.ts';
import { openStore, type Inspection, type Store } from './store/index.ts';
import { PresenceTrigger } from './trigger/index.ts';

export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface Station {
  url: string;
  store: Store;
  server: StationServer;
  source: FrameSource;
  trigger: PresenceTrigger;
  /** Resolves each time an inspection has been committed and announced (tests and bench use it). */
  onInspection(listener: (row: Inspection, frame: Frame) => void): void;
  close(): Promise<void>;
}

function captureConfig(config: StationConfig, demo: { replayDir: string; emptyBench: string } | null): CaptureConfig {
  const c = config.camera;
  switch (c.kind) {
    case 'usb':
      return { kind: 'camera', input: c.device, width: c.width, height: c.height, fps: c.fps, exposure: c.exposure };
    case 'video':
      return { kind: 'video', input: resolvePath(config, c.path), loop: c.loop, replayFps: c.fps };
    case 'folder':
      return {
        kind: 'folder', folder: resolvePath(config, c.path), width: c.width, height: c.height, fps: c.fps, holdMs: c.holdMs, gapMs: c.gapMs,
        emptyImage: c.emptyBench ? resolvePath(config, c.emptyBench) : undefined, loop: c.loop,
      };
    case 'demo':
      return {
        kind: 'folder', folder: demo!.replayDir, width: DEMO_FRAME, height: DEMO_FRAME, holdMs: c.holdMs, gapMs: c.gapMs,
        emptyImage: demo!.emptyBench, loop: true, settleMs: 300,
      };
  }
}

const LIGHT: Record<string, StackLightState> = { pass: 'PASS', review: 'REVIEW', fail: 'FAIL', unjudged: 'FAULT' };

/** Parts a caller may supply instead of the configured ones (tests inject a replay with scripted outages). */
export interface StationParts {
  source?: FrameSource;
  /** Folder with the dashboard's public/ and dist/ (default: the project's dashboard/). */
  dashboardDir?: string;
}

const DAY_MS = 24 * 3600 * 1000;

export async function startStation(config: StationConfig, log: Log, parts: StationParts = {}): Promise<Station> {
  const dataDir = resolvePath(config, config.dataDir);
  const store = openStore(dataDir);
  const demo = config.camera.kind === 'demo' ? await ensureDemo(dataDir, { backbone: readManifest(resolvePath(config, config.model)).id }) : null;
  const calibrationDir = demo ? demo.calibrationDir : resolvePath(config, config.calibrationDir);

  log.info(`data folder ${dataDir}; calibration folder ${calibrationDir}${existsSync(calibrationDir) ? '' : ' (missing)'}`);
  // Products are the calibration folder's product.json files; the store keeps their names for the UI. One broken
  // folder is named and skipped: it must not keep the bench from inspecting the others.
  const products: string[] = [];
  for (const id of existsSync(calibrationDir) ? listProducts(calibrationDir) : []) {
    try {
      const p = loadProductConfig(path.join(calibrationDir, id, 'product.json'), id);
      store.products.upsert({ id, name: p.name, settings: { ...p } as unknown as Record<string, unknown> });
      products.push(id);
    } catch (err) {
      log.warn(`skipping calibration folder '${id}': ${(err as Error).message}`);
    }
  }
  log.info(`products: ${products.length ? products.join(', ') : 'none'}`);

  const engines = await visionEngines(resolvePath(config, config.model));
  // Products may have chosen another backbone of the pool: load those their active reference sets name.
  await engines.preload(store.referenceSets.activeModelSha256s());
  log.info(`backbone ${engines.backbone.manifest.id} (sha256 ${engines.backbone.manifest.sha256.slice(0, 12)}…), taps ${engines.backbone.manifest.taps.map((t) => `${t.name}/${t.stride}`).join(', ')}`);

  let productId = demo ? DEMO_PRODUCT : config.product;
  // Items are recorded whatever the selection: a product with no calibration folder still gets its row (so its
  // inspections can reference it), and each of its items is recorded unjudged with the reason.
  if (!store.products.get(productId)) {
    store.products.upsert({ id: productId, name: productId });
    log.warn(`product '${productId}' has no calibration folder ${path.join(calibrationDir, productId)} with a product.json` +
      ` (products: ${products.join(', ') || 'none'}); items will be recorded as unjudged until it has one and is calibrated`);
  }
  let makerId = config.maker;
  if (makerId && !store.makers.get(makerId)) store.makers.upsert({ id: makerId, name: makerId });
  const loaded = new Map<string, ActiveProduct | Error>();
  const active = (id: string): ActiveProduct | Error => {
    let a = loaded.get(id);
    if (!a) {
      try {
        a = loadActiveProduct(store, calibrationDir, id, engines.engineForSet);
      } catch (err) {
        a = err as Error;
      }
      loaded.set(id, a);
    }
    return a;
  };

  // First start of a product with no reference set yet (the demo): calibrate it before inspecting.
  if (!store.referenceSets.active(productId) && existsSync(path.join(calibrationDir, productId, 'product.json'))) {
    log.info(`product '${productId}' has no reference set yet: calibrating from ${path.join(calibrationDir, productId)}`);
    let lastStage = '';
    try {
      const r = await calibrateProduct({
        productId, calibrationDir, store, engineFor: engines.engineFor, tune: engines.tune,
        onProgress: (stage, done, total) => {
          if (stage !== lastStage || done === total) log.info(`  calibrate: ${stage} ${done}/${total}`);
          lastStage = stage;
        },
      });
      log.info(`  reference set v${r.version}: review above ${r.report.band.reviewAt.toFixed(3)}, fail above ${r.report.band.failAt.toFixed(3)}`);
    } catch (err) {
      // The bench still starts: its items are recorded unjudged with the reason until a calibration succeeds.
      log.warn(`  calibration of '${productId}' failed: ${(err as Error).message}`);
    }
  }
  const first = active(productId);
  if (first instanceof Error) log.warn(`${first.message}; items will be recorded as unjudged until then`);

  const source = parts.source ?? createFrameSource(captureConfig(config, demo));
  const trigger = new PresenceTrigger(config.trigger);
  let camera: StationState['camera'] = 'up';
  let latestFrame: Frame | null = null;
  const listeners: ((row: Inspection, frame: Frame) => void)[] = [];

  const light: StackLight | null = config.stackLight ? createStackLight(config.stackLight, log) : null;
  // The configured serial devices and whether each is connected (the scanner is created further down).
  let barcode: BarcodeReader | null = null;
  const devices = (): Record<string, PortStatus> => ({
    ...(light ? { 'stack light': light.status } : {}), ...(barcode ? { 'barcode scanner': barcode.status } : {}),
  });
  const show = (s: StackLightState) => light?.show(s);

  const control: StationControl = {
    currentState: () => ({ bench: trigger.state, camera, productId, makerId, modelLoaded: !(active(productId) instanceof Error), devices: devices() }),
    manualTrigger: () => {
      if (camera === 'ended') throw new Error('no camera frame to inspect: the replay has played its last item');
      if (camera === 'lost' || !latestFrame) throw new Error('no camera frame to inspect: the camera is lost');
      trigger.manual();
    },
    selectProduct: (id) => {
      if (!store.products.get(id)) throw new Error(`unknown product '${id}': add calibration/${id}/product.json and calibrate it`);
      productId = id;
      server.announce.selection(productId, makerId);
    },
    selectMaker: (id) => {
      if (id !== null && !store.makers.get(id)) throw new Error(`unknown maker '${id}'`);
      makerId = id;
      server.announce.selection(productId, makerId);
    },
    // In a process of its own at lower priority: the bench keeps its event loop and CPU while a lead recalibrates.
    startCalibration: (id, onProgress) => runInChild(
      { productId: id, calibrationDir, dataDir, modelManifest: resolvePath(config, config.model) }, onProgress,
      (pid) => log.info(`calibration of ${id} running in process ${pid} at lower priority`),
    ),
    activateReferenceSet: (id, version) => {
      activateVersion(store, id, version);
      loaded.delete(id);
      const a = active(id);
      if (a instanceof Error) throw a;
    },
    latestFrameJpeg: async () => {
      const f = latestFrame;
      if (!f || camera === 'lost') return null;
      return sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
    },
  };

  const server = createServer({ store, dataDir, calibrationDir, station: control, log, dashboardDir: parts.dashboardDir, cookieSecure: config.server.secureCookies ? true : 'auto', trustProxy: config.server.trustProxy });

  source.on('frame', (f) => { latestFrame = f; });
  source.on('lost', (err) => {
    camera = 'lost';
    log.warn(`camera lost: ${err.message}`);
    trigger.sourceLost();
    server.announce.camera('lost', err.message);
    show('FAULT');
  });
  source.on('back', () => {
    camera = 'up';
    log.info('camera back');
    server.announce.camera('up');
    show('IDLE');
  });
  source.on('warning', (w) => log.warn(w.message));
  source.on('end', () => {
    camera = 'ended';
    log.info('the replay has played its last item (it does not loop): no more frames will come');
    server.announce.camera('ended', 'the replay has played its last item');
    show('IDLE');
  });
  trigger.on('state', (s) => {
    server.announce.bench(s);
    if (s === 'empty') show('IDLE');
  });

  // One item at a time: the trigger does not emit again before inspectionDone().
  trigger.on('inspect', (frame) => {
    show('BUSY');
    inspectFrame(store, { frame, productId, makerId, active: active(productId) })
      .then((row) => {
        server.announce.inspection(row, { latencyMs: Date.now() - frame.capturedAt });
        log.info(`inspection ${row.id}: ${row.verdict.toUpperCase()}${row.score !== null ? ` (score ${row.score.toFixed(2)})` : ''}${row.error ? ` — ${row.error}` : ''}`);
        show(LIGHT[row.verdict]);
        for (const l of listeners) l(row, frame);
      })
      .catch((err: Error) => {
        // Not recorded (e.g. the disk is full): say so loudly, never show a verdict.
        log.error(`inspection could not be recorded: ${err.message}`);
        show('FAULT');
      })
      .finally(() => trigger.inspectionDone());
  });

  barcode = config.barcode ? createBarcodeReader({ ...config.barcode, mapping: config.barcode.codes }, log) : null;
  for (const device of [light, barcode]) device?.on('status', () => server.announce.devices(devices()));
  barcode?.on('scan', (scan) => {
    try {
      if (scan.kind === 'product') control.selectProduct(scan.id);
      else if (scan.kind === 'maker') control.selectMaker(scan.id);
      // an unknown code was logged by the reader (throttled, escaped)
    } catch (err) {
      log.warn(`barcode: ${(err as Error).message}`);
    }
  });
  const usb: UsbWatch | null = config.camera.kind === 'usb' ? createUsbWatch(log) : null;
  usb?.on('videoAttached', () => source.nudge());

  // Leftovers of a kill mid-inspection (an image written, its row not): nothing is in flight yet.
  try {
    const swept = await store.sweepOrphanEvidence();
    if (swept.removedFiles.length || swept.removedTempFiles.length) {
      log.info(`removed ${swept.removedFiles.length} evidence image(s) without an inspection row and ${swept.removedTempFiles.length} temp file(s) left by an interrupted run`);
    }
  } catch (err) {
    log.warn(`could not clear leftovers in the evidence folder: ${(err as Error).message}`);
  }
  // Evidence retention: once at start, then daily. Rows are kept forever; only images go.
  const retain = () => {
    store.applyRetention(config.retention.evidenceDays)
      .then((r) => { if (r.rowsMarked) log.info(`retention: evidence of ${r.rowsMarked} inspection(s) older than ${config.retention.evidenceDays} days removed`); })
      .catch((err: Error) => log.warn(`retention: ${err.message}`));
  };
  retain();
  const retention = setInterval(retain, DAY_MS);
  retention.unref();

  const detach = trigger.attach(source);
  source.start();
  const bound = await server.listen(config.server.port, config.server.host);
  show('IDLE');

  return {
    url: bound.url,
    store,
    server,
    source,
    trigger,
    onInspection: (l) => { listeners.push(l); },
    async close() {
      clearInterval(retention);
      detach();
      await source.stop();
      usb?.dispose();
      await barcode?.close();
      await light?.close();
      await server.close();
      await engines.close();
      store.close();
    },
  };
}
