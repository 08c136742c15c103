/**
 * The bench's link to the workshop network, when its config has one: the publisher of its outbox, and the state
 * the Live page and /metrics show (connected, what waits, since when). A bench with no network has none of it.
 */
import { readFileSync } from 'node:fs';
import { resolvePath, type StationConfig } from '../config.ts';
import { startPublisher, type Publisher } from '../network/publisher.ts';
import type { NetworkState } from '../server/index.ts';
import type { Log } from '../shared/domain.d.ts';
import type { Store } from '../store/index.ts';

export interface NetworkLink {
  state(): NetworkState;
  /** Calls back at most every `everyMs` when the state changed (the Live page's pill). */
  watch(listener: (s: NetworkState) => void, everyMs?: number): void;
  close(): Promise<void>;
}

function readSecret(config: StationConfig, file: string, what: string): Buffer {
  const p = resolvePath(config, file);
  try {
    return readFileSync(p);
  } catch (err) {
    throw new Error(
      `network.${what} ${p} cannot be read (${(err as NodeJS.ErrnoException).code}); create it or fix the path`,
    );
  }
}

/** `commands`: what the bench does with the hub's commands (runtime/commands.ts); absent, it reads none. */
export function connectNetwork(
  config: StationConfig,
  store: Store,
  log: Log,
  commands?: (text: string) => Promise<void>,
): NetworkLink | null {
  const n = config.network;
  if (!n) return null;
  const publisher: Publisher = startPublisher({
    onCommand: commands,
    store,
    stationId: n.station,
    url: n.broker,
    username: n.username ?? n.station,
    password: readSecret(config, n.passwordFile, 'passwordFile').toString('utf8').trim(),
    ca: n.caFile ? readSecret(config, n.caFile, 'caFile') : undefined,
    log,
  });
  const state = (): NetworkState => {
    const s = publisher.status();
    return {
      station: n.station,
      connected: s.connected,
      backlog: s.backlog.count,
      oldestUnsentAt: s.backlog.oldestAt,
      lastError: s.lastError,
    };
  };
  const timers: NodeJS.Timeout[] = [];
  return {
    state,
    watch(listener, everyMs = 1000) {
      let last = '';
      const t = setInterval(() => {
        const s = state();
        const key = JSON.stringify(s);
        if (key !== last) listener(s);
        last = key;
      }, everyMs);
      t.unref();
      timers.push(t);
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await publisher.close();
    },
  };
}
