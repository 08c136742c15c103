// Free TCP ports on the loopback interface, for the private broker and database the tests and the demo start.
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/**
 * A port nothing listens on right now: the kernel picks one for a listener on port 0, which is then closed. Another
 * process could take it before the service binds it; the services check again and say so (assertPortFree).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('the kernel gave no port'))));
    });
  });
}

/** Throws a readable error when `port` on 127.0.0.1 is already taken, before a service fails on it less clearly. */
export function assertPortFree(port: number, service: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE' ? 'is already in use by another process' : `cannot be used (${err.message})`;
      reject(new Error(`${service}: port ${port} on ${LOOPBACK} ${why}; choose another port or stop what holds it`));
    });
    server.listen(port, LOOPBACK, () => server.close(() => resolve()));
  });
}
