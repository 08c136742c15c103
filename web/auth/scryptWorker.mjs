// One password check at a time, on this worker's own thread: scrypt here never takes a libuv pool thread, which
// the bench's frame decoding (sharp) and file writes need. Plain JavaScript so it runs without a TS loader.
import { scryptSync } from 'node:crypto';
import { parentPort, threadId } from 'node:worker_threads';

parentPort.on('message', (m) => {
  try {
    const key = scryptSync(m.password, Buffer.from(m.salt, 'base64'), m.keylen, {
      N: m.N,
      r: m.r,
      p: m.p,
      maxmem: m.maxmem,
    });
    parentPort.postMessage({ id: m.id, key: key.toString('base64'), threadId });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err), threadId });
  }
});
