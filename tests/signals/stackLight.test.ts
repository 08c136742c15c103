import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStackLight, type StackLight } from '../../station/signals/stackLight.ts';
import type { PortStatus } from '../../station/signals/lineProtocol.ts';
import { captureLog, nextEvent, PtyPeer, startPair, until, waitForStatus, type PtyPair } from './socatPair.ts';

let dir: string;
let pairs: PtyPair[];
let peers: PtyPeer[];
let light: StackLight | null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stacklight-'));
  pairs = [];
  peers = [];
  light = null;
});

afterEach(async () => {
  await light?.close();
  for (const p of peers) p.close();
  for (const p of pairs) await p.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function pair(): Promise<PtyPair> {
  const p = await startPair(join(dir, 'a'), join(dir, 'b'));
  pairs.push(p);
  return p;
}

function peer(path: string): PtyPeer {
  const p = new PtyPeer(path);
  peers.push(p);
  return p;
}

describe('stack light over a socat pty pair', () => {
  it('sends each state as one LF-terminated line', async () => {
    const p = await pair();
    const board = peer(p.b);
    const log = captureLog();
    light = createStackLight({ path: p.a, baudRate: 9600, reconnectMs: 100 }, log);
    await waitForStatus(light, 'connected');
    expect(light.status).toBe('connected');

    for (const state of ['BUSY', 'PASS', 'REVIEW', 'FAIL', 'FAULT', 'IDLE'] as const) {
      expect(light.show(state)).toBe(true);
    }
    await board.waitFor((r) => r.endsWith('IDLE\n'), 'all six states');
    expect(board.received).toBe('BUSY\nPASS\nREVIEW\nFAIL\nFAULT\nIDLE\n');
    expect(light.state).toBe('IDLE');
  });

  it('rejects an unknown state with a warning and sends nothing', async () => {
    const p = await pair();
    const board = peer(p.b);
    const log = captureLog();
    light = createStackLight({ path: p.a, baudRate: 9600, reconnectMs: 100 }, log);
    await waitForStatus(light, 'connected');
    expect(light.show('GREEN' as never)).toBe(false);
    light.show('PASS');
    await board.waitFor((r) => r.includes('PASS\n'), 'PASS');
    expect(board.received).toBe('PASS\n');
    expect(log.entries.some(([lvl, m]) => lvl === 'warn' && m.includes('"GREEN"'))).toBe(true);
  });

  it('reports board replies: OK as ack, anything else as reply', async () => {
    const p = await pair();
    const board = peer(p.b);
    light = createStackLight({ path: p.a, baudRate: 9600, reconnectMs: 100 }, captureLog());
    await waitForStatus(light, 'connected');
    const ack = nextEvent<void>(light, 'ack');
    const reply = nextEvent<string>(light, 'reply');
    board.write('OK\r\nERR unknown\n');
    await ack;
    expect(await reply).toBe('ERR unknown');
  });

  it('waits for a missing port, then sends the state chosen while it was away', async () => {
    const log = captureLog();
    const a = join(dir, 'a');
    light = createStackLight({ path: a, baudRate: 9600, reconnectMs: 100 }, log);
    expect(light.show('FAIL')).toBe(false); // nothing to send to yet, and no throw
    await until(() => log.entries.some(([lvl]) => lvl === 'warn'), 'the first open failure');
    await new Promise((r) => setTimeout(r, 300)); // a few more failed attempts
    expect(light.status).toBe('disconnected');
    const warnings = log.entries.filter(([lvl, m]) => lvl === 'warn' && m.includes('cannot open serial port'));
    expect(warnings).toHaveLength(1); // retries are not logged one by one
    expect(warnings[0][1]).toContain(a);

    const p = await pair();
    const board = peer(p.b);
    await waitForStatus(light, 'connected');
    await board.waitFor((r) => r.includes('FAIL\n'), 'the remembered FAIL');
    expect(board.received).toBe('FAIL\n');
  });

  it('recovers when the port vanishes and a new pair appears at the same path', async () => {
    const log = captureLog();
    let p = await pair();
    let board = peer(p.b);
    light = createStackLight({ path: p.a, baudRate: 9600, reconnectMs: 100 }, log);
    await waitForStatus(light, 'connected');
    light.show('REVIEW');
    await board.waitFor((r) => r.includes('REVIEW\n'), 'REVIEW');

    // Unplug: socat exits and both pty ends disappear.
    const gone = nextEvent<PortStatus>(light, 'status', (s) => s === 'disconnected');
    await p.stop();
    await gone;
    expect(log.entries.some(([lvl, m]) => lvl === 'warn' && m.includes('went away'))).toBe(true);
    expect(light.show('BUSY')).toBe(false); // remembered, not sent, no throw
    await new Promise((r) => setTimeout(r, 250)); // let some reopen attempts fail

    // Plug back in at the same link paths.
    p = await pair();
    board = peer(p.b);
    await waitForStatus(light, 'connected');
    await board.waitFor((r) => r.includes('BUSY\n'), 'the last state re-sent on reconnect');
    expect(light.show('PASS')).toBe(true);
    await board.waitFor((r) => r.includes('PASS\n'), 'the next command after reconnect');
    expect(board.received).toBe('BUSY\nPASS\n');
  });

  it('delays the re-send after open by openDelayMs (boards that reset on open)', async () => {
    const p = await pair();
    const board = peer(p.b);
    light = createStackLight({ path: p.a, baudRate: 9600, reconnectMs: 100, openDelayMs: 400 }, captureLog());
    light.show('FAULT');
    await waitForStatus(light, 'connected');
    const connectedAt = Date.now();
    light.show('IDLE'); // during the boot delay: only remembered
    await board.waitFor((r) => r.includes('\n'), 'the delayed re-send');
    expect(Date.now() - connectedAt).toBeGreaterThanOrEqual(350);
    expect(board.received).toBe('IDLE\n');
  });

  it('names the field in clear errors for bad settings', () => {
    expect(() => createStackLight({ path: '', baudRate: 9600 }, captureLog())).toThrow(/stack light: serial "path"/);
    expect(() => createStackLight({ path: '/dev/ttyX', baudRate: 0 }, captureLog())).toThrow(
      /"baudRate" for \/dev\/ttyX/,
    );
    expect(() => createStackLight({ path: '/dev/ttyX', baudRate: 9600, reconnectMs: 5 }, captureLog())).toThrow(
      /"reconnectMs"/,
    );
    expect(() => createStackLight({ path: '/dev/ttyX', baudRate: 9600, openDelayMs: -1 }, captureLog())).toThrow(
      /"openDelayMs"/,
    );
  });
});
