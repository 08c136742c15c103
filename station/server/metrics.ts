// Prometheus text exposition (format 0.0.4) for the few figures the station exports.
// Counters live for the process; the camera gauge is read at scrape time.
import { verdicts } from '../store/repositories/inspections.ts';
import type { NetworkState } from './contract.d.ts';

export const LATENCY_BUCKETS_SECONDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export class StationMetrics {
  private readonly byVerdict = new Map<string, number>(verdicts.map((v) => [v, 0]));
  private readonly bucketCounts = LATENCY_BUCKETS_SECONDS.map(() => 0);
  private latencyCount = 0;
  private latencySum = 0;

  /** Count one recorded inspection and, when known, its frame-to-verdict latency. */
  recordInspection(verdict: string, latencyMs: number | null): void {
    this.byVerdict.set(verdict, (this.byVerdict.get(verdict) ?? 0) + 1);
    if (latencyMs === null || !Number.isFinite(latencyMs) || latencyMs < 0) return;
    const s = latencyMs / 1000;
    this.latencyCount++;
    this.latencySum += s;
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
      if (s <= le) this.bucketCounts[i]++;
    });
  }

  render(gauges: { cameraUp: boolean; modelLoaded: boolean; network?: NetworkState | null }, now = Date.now()): string {
    const lines: string[] = [];
    lines.push('# HELP inspections_total Inspections recorded since the station started, by verdict.');
    lines.push('# TYPE inspections_total counter');
    for (const [v, n] of this.byVerdict) lines.push(`inspections_total{verdict="${escapeLabel(v)}"} ${n}`);

    lines.push('# HELP inspection_latency_seconds Time from the triggering frame to the committed verdict.');
    lines.push('# TYPE inspection_latency_seconds histogram');
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
      lines.push(`inspection_latency_seconds_bucket{le="${le}"} ${this.bucketCounts[i]}`);
    });
    lines.push(`inspection_latency_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`inspection_latency_seconds_sum ${this.latencySum}`);
    lines.push(`inspection_latency_seconds_count ${this.latencyCount}`);

    lines.push('# HELP camera_up 1 when the camera delivers frames, 0 when it is lost.');
    lines.push('# TYPE camera_up gauge');
    lines.push(`camera_up ${gauges.cameraUp ? 1 : 0}`);
    lines.push('# HELP model_loaded 1 when the inspection model and an active reference set are loaded.');
    lines.push('# TYPE model_loaded gauge');
    lines.push(`model_loaded ${gauges.modelLoaded ? 1 : 0}`);
    if (gauges.network) lines.push(...networkLines(gauges.network, now));
    return `${lines.join('\n')}\n`;
  }
}

/** Only for a bench on the workshop network: a bench on its own has no outbox to drain. */
function networkLines(n: NetworkState, now: number): string[] {
  const age = n.oldestUnsentAt === null ? 0 : Math.max(0, (now - n.oldestUnsentAt) / 1000);
  return [
    '# HELP workshop_network_connected 1 while the station is connected to the workshop broker.',
    '# TYPE workshop_network_connected gauge',
    `workshop_network_connected ${n.connected ? 1 : 0}`,
    '# HELP outbox_backlog Committed records not yet acknowledged by the workshop broker.',
    '# TYPE outbox_backlog gauge',
    `outbox_backlog ${n.backlog}`,
    '# HELP outbox_oldest_age_seconds Age of the oldest record waiting in the outbox (0 with none).',
    '# TYPE outbox_oldest_age_seconds gauge',
    `outbox_oldest_age_seconds ${age.toFixed(3)}`,
  ];
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
