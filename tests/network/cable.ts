// A network cable between a station and the broker that a test can pull out and plug back in: a TCP relay on a
// free port. Pulled, it drops every open connection (both ends see the socket close, as when a link dies) and
// refuses new ones until plugged in again, while the broker and the station's process keep running.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { LOOPBACK } from '../../hub/local/ports.ts';

export interface Cable {
  /** mqtt://127.0.0.1:<relay port>: what the station is configured with instead of the broker's own port. */
  url: string;
  pull(): void;
  plugIn(): void;
  close(): Promise<void>;
}

export async function startCable(brokerPort: number): Promise<Cable> {
  let connected = true;
  const open = new Set<Socket>();
  const server: Server = createServer((station) => {
    if (!connected) {
      station.destroy();
      return;
    }
    const broker = createConnection({ host: LOOPBACK, port: brokerPort });
    for (const s of [station, broker]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined); // a pulled cable resets both ends; the MQTT clients report it their own way
    }
    station.pipe(broker).pipe(station);
    station.on('close', () => broker.destroy());
    broker.on('close', () => station.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `mqtt://${LOOPBACK}:${port}`,
    pull() {
      connected = false;
      for (const s of open) s.destroy();
    },
    plugIn() {
      connected = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
