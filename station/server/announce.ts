// socket.io announcements. The composition calls these after the fact has happened
// (an inspection is announced only once it is committed to the store).
import type { Server as IoServer } from 'socket.io';
import type { Inspection } from '../store/repositories/inspections.ts';
import type { StationMetrics } from './metrics.ts';
import { inspectionView, selectionView, todayCounts } from './views.ts';
import type {
  BenchState,
  CalibrationEvent,
  CameraState,
  InspectionView,
  NetworkState,
  ServerEvents,
  ServerStore,
} from './types.ts';

export interface Announcer {
  bench(state: BenchState): void;
  /** After the row is committed. latencyMs: frame arrival → verdict committed, for /metrics. */
  inspection(row: Inspection, opts?: { latencyMs?: number }): InspectionView;
  camera(state: CameraState, reason?: string): void;
  calibration(event: CalibrationEvent): void;
  /** The product or maker in use changed (from the dashboard, a barcode scan, or config). */
  selection(productId: string | null, makerId: string | null): void;
  referenceSet(productId: string, activeVersion: number): void;
  /** A configured serial device connected or went away. */
  devices(devices: Record<string, 'connected' | 'disconnected'>): void;
  /** The workshop network's link or backlog changed. */
  network(state: NetworkState): void;
}

/** The socket.io room of signed-in leads' dashboards: what only leads may see goes there. */
export const LEADS_ROOM = 'leads';

/** Frame-to-verdict time from the row's timings when the caller did not measure it. */
function latencyFromTimings(timings: Record<string, number>): number | null {
  for (const k of ['total', 'totalMs', 'frameToVerdict']) if (Number.isFinite(timings[k])) return timings[k];
  const values = Object.values(timings).filter((v) => Number.isFinite(v));
  return values.length ? values.reduce((a, b) => a + b, 0) : null;
}

export function createAnnouncer(deps: { io: IoServer; store: ServerStore; metrics: StationMetrics }): Announcer {
  const { io, store, metrics } = deps;
  const emit = <K extends keyof ServerEvents>(event: K, payload: ServerEvents[K]) => io.emit(event, payload);

  return {
    bench(state) {
      emit('bench', { state, at: Date.now() });
    },
    inspection(row, opts = {}) {
      const view = inspectionView(store, row);
      metrics.recordInspection(row.verdict, opts.latencyMs ?? latencyFromTimings(row.timings));
      emit('inspection', view);
      io.emit('today', todayCounts(store, row.makerId));
      return view;
    },
    camera(state, reason) {
      emit('camera', { state, at: Date.now(), ...(reason ? { reason } : {}) });
    },
    calibration(event) {
      io.to(LEADS_ROOM).emit('calibration', event);
    },
    selection(productId, makerId) {
      emit('selection', selectionView(store, productId, makerId));
      io.emit('today', todayCounts(store, makerId));
    },
    referenceSet(productId, activeVersion) {
      emit('reference-set', { productId, activeVersion });
    },
    devices(devices) {
      emit('devices', devices);
    },
    network(state) {
      emit('network', state);
    },
  };
}
