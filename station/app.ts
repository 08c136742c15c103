/**
 * The composition root: the whole station on one screen.
 *
 *   frame source ──► presence trigger ──► inspectItem (engine → verdict → evidence → SQLite) ──► announce + stack light
 *
 * Every other file is a part; this one builds them, wires the pipeline's edges and closes them.
 */
import { createFrameSource, type Frame, type FrameSource } from './capture/index.ts';
import type { StationConfig } from './config.ts';
import { followCamera } from './runtime/camera.ts';
import { captureConfig } from './runtime/captureConfig.ts';
import { openDevices } from './runtime/devices.ts';
import { openJudging } from './runtime/judging.ts';
import { commandHandler } from './runtime/commands.ts';
import { scheduleBackups } from './runtime/backups.ts';
import { connectNetwork } from './runtime/network.ts';
import { inspectItem } from './runtime/inspectItem.ts';
import { scheduleRetention, sweepLeftovers } from './runtime/retention.ts';
import { selectByScan } from './runtime/selection.ts';
import { watchService } from './runtime/serviceWatchdog.ts';
import { createStationControl } from './runtime/stationControl.ts';
import { createServer, type StationServer } from './server/index.ts';
import type { Log } from './shared/domain.d.ts';
import { createUsbWatch } from './signals/usbWatch.ts';
import type { Inspection, Store } from './store/index.ts';
import { PresenceTrigger } from './trigger/index.ts';

export type { Log } from './shared/domain.d.ts';

export interface Station {
  url: string;
  store: Store;
  server: StationServer;
  source: FrameSource;
  trigger: PresenceTrigger;
  /** Called each time an inspection has been committed and announced (tests and bench use it). */
  onInspection(listener: (row: Inspection, frame: Frame) => void): void;
  close(): Promise<void>;
}

/** Parts a caller may supply instead of the configured ones (tests inject a replay with scripted outages). */
export interface StationParts {
  source?: FrameSource;
  /** Folder with the dashboard's public/ and dist/ (default: the project's dashboard/). */
  dashboardDir?: string;
}

export async function startStation(config: StationConfig, log: Log, parts: StationParts = {}): Promise<Station> {
  const { dataDir, model, store, demo, calibrationDir, engines, selection, lock } = await openJudging(config, log);
  const source = parts.source ?? createFrameSource(captureConfig(config, demo));
  const trigger = new PresenceTrigger(config.trigger);
  const camera = followCamera(source, log);
  const { light, barcode, show, devices } = openDevices(config, log);
  const control = createStationControl({
    store,
    selection,
    trigger,
    camera,
    devices,
    // The network is connected below, once the control its commands activate through exists.
    network: () => network?.state() ?? null,
    calibration: { calibrationDir, dataDir, modelManifest: model },
    engines,
    log,
  });
  const commands = commandHandler({
    store,
    calibrationDir,
    dataDir,
    modelManifest: model,
    hasBackbone: engines.hasBackbone,
    activate: (id, version) => control.activateReferenceSet(id, version),
    log,
  });
  const network = connectNetwork(config, store, log, commands.handle);
  const server = createServer({
    store,
    dataDir,
    calibrationDir,
    station: control,
    log,
    dashboardDir: parts.dashboardDir,
    cookieSecure: config.server.secureCookies ? true : 'auto',
    trustProxy: config.server.trustProxy,
  });
  const usb = config.camera.kind === 'camera' ? createUsbWatch(log) : null;
  const listeners: ((row: Inspection, frame: Frame) => void)[] = [];

  // The edges. Camera → trigger, server, light:
  camera.onChange((state, reason) => {
    if (state === 'lost') trigger.sourceLost();
    server.announce.camera(state, reason);
    show(state === 'lost' ? 'FAULT' : 'IDLE');
  });
  usb?.on('videoAttached', () => source.nudge());
  trigger.on('state', (s) => {
    server.announce.bench(s);
    if (s === 'empty') show('IDLE');
  });
  // Trigger → one item's inspection → server, light, listeners. One item at a time: no emit before inspectionDone().
  trigger.on(
    'inspect',
    (frame) =>
      void inspectItem(
        {
          store,
          selection,
          show,
          log,
          announce: (row, latencyMs) => void server.announce.inspection(row, { latencyMs }),
          recorded: (row, f) => {
            for (const l of listeners) l(row, f);
          },
        },
        frame,
      ).finally(() => trigger.inspectionDone()),
  );
  // Scanner and dashboard → selection → server; serial devices → server.
  barcode?.on('scan', (scan) => selectByScan(selection, scan, log));
  // Selection → outbox (the hub knows who works at which bench), server. Network → server.
  const publishSelection = (productId: string, makerId: string | null) =>
    store.outbox.add('selection', { productId, makerId });
  selection.onChange((productId, makerId) => {
    publishSelection(productId, makerId);
    server.announce.selection(productId, makerId);
  });
  // On the network, the hub learns who works at this bench from the start, not only at the first change.
  if (network) publishSelection(selection.productId, selection.makerId);
  network?.watch((s) => server.announce.network(s));
  for (const device of [light, barcode]) device?.on('status', () => server.announce.devices(devices()));

  await sweepLeftovers(store, log); // nothing is in flight yet
  const stopRetention = scheduleRetention(store, config.retention.evidenceDays, log);
  const stopBackups = scheduleBackups(config, store, log);
  const detach = trigger.attach(source);
  source.start();
  const bound = await server.listen(config.server.port, config.server.host);
  show('IDLE');
  const service = watchService({ source, camera, trigger, log }); // systemd: ready now, watchdog while frames flow
  service.ready(`serving ${bound.url}`);

  return {
    url: bound.url,
    store,
    server,
    source,
    trigger,
    onInspection: (l) => {
      listeners.push(l);
    },
    // Inputs first, so no new item starts; the store last.
    async close() {
      service.stopping();
      stopRetention();
      stopBackups();
      detach();
      await source.stop();
      usb?.dispose();
      await barcode?.close();
      await light?.close();
      await server.close();
      await network?.close();
      // A bench check under way reports into the outbox (sent on the next start) before the store closes.
      await commands.idle();
      await engines.close();
      store.close();
      lock.release();
      await service.close();
    },
  };
}
