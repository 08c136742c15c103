import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBarcodeReader,
  parseScan,
  validateBarcodeMapping,
  type BarcodeReader,
  type ScanEvent,
} from '../../station/signals/barcode.ts';
import type { PortStatus } from '../../station/signals/lineProtocol.ts';
import { captureLog, nextEvent, PtyPeer, startPair, until, waitForStatus, type PtyPair } from './socatPair.ts';

describe('parseScan', () => {
  const mapping = validateBarcodeMapping({
    '4006381333931': { kind: 'product', id: 'glazed-tile-10cm' },
    ' BADGE-07 ': { kind: 'maker', id: 'ana' },
  });

  it('reads P: and M: prefixes, any case, keeping the id case', () => {
    expect(parseScan('P:Tile-01')).toEqual({ kind: 'product', id: 'Tile-01' });
    expect(parseScan('m:Ana')).toEqual({ kind: 'maker', id: 'Ana' });
    expect(parseScan('  P: bowl 3 \t')).toEqual({ kind: 'product', id: 'bowl 3' });
  });

  it('looks codes up in the mapping first', () => {
    expect(parseScan('4006381333931', mapping)).toEqual({ kind: 'product', id: 'glazed-tile-10cm' });
    expect(parseScan('BADGE-07', mapping)).toEqual({ kind: 'maker', id: 'ana' });
  });

  it('reports anything else as unknown with the code', () => {
    expect(parseScan('X:1')).toEqual({ kind: 'unknown', code: 'X:1' });
    expect(parseScan('P:')).toEqual({ kind: 'unknown', code: 'P:' });
    expect(parseScan('4006381333931')).toEqual({ kind: 'unknown', code: '4006381333931' });
  });

  it('rejects a bad mapping naming the code', () => {
    expect(() => validateBarcodeMapping({ ABC: { kind: 'colour', id: 'x' } })).toThrow(/code "ABC".*"kind"/);
    expect(() => validateBarcodeMapping({ ABC: { kind: 'maker', id: ' ' } })).toThrow(/code "ABC".*"id"/);
    expect(() => validateBarcodeMapping([])).toThrow(/"mapping" must be an object/);
  });
});

describe('barcode scanner over a socat pty pair', () => {
  let dir: string;
  let pairs: PtyPair[];
  let peers: PtyPeer[];
  let reader: BarcodeReader | null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'barcode-'));
    pairs = [];
    peers = [];
    reader = null;
  });

  afterEach(async () => {
    await reader?.close();
    for (const p of peers) p.close();
    for (const p of pairs) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function connectedScanner(mapping?: Parameters<typeof createBarcodeReader>[0]['mapping']) {
    const p = await startPair(join(dir, 'a'), join(dir, 'b'));
    pairs.push(p);
    const scanner = new PtyPeer(p.b);
    peers.push(scanner);
    const log = captureLog();
    reader = createBarcodeReader({ path: p.a, baudRate: 9600, reconnectMs: 100, mapping }, log);
    const scans: ScanEvent[] = [];
    reader.on('scan', (s) => scans.push(s));
    await waitForStatus(reader, 'connected');
    return { p, scanner, log, scans };
  }

  it('turns scanned lines (CR, LF or CRLF) into product, maker and unknown events', async () => {
    const { scanner, log, scans } = await connectedScanner({ '5901234123457': { kind: 'product', id: 'walnut-disc' } });
    scanner.write('P:glazed-tile\r\nM:ana\r');
    scanner.write('5901234123457\n');
    // A line split across two writes, as a slow scanner would send it.
    scanner.write('M:bo');
    await new Promise((r) => setTimeout(r, 30));
    scanner.write('ris\r\n??junk\n');
    await until(() => scans.length >= 5, 'five scans');
    expect(scans).toEqual([
      { kind: 'product', id: 'glazed-tile' },
      { kind: 'maker', id: 'ana' },
      { kind: 'product', id: 'walnut-disc' },
      { kind: 'maker', id: 'boris' },
      { kind: 'unknown', code: '??junk' },
    ]);
    expect(log.entries.some(([lvl, m]) => lvl === 'warn' && m.includes('"??junk"'))).toBe(true);
  });

  it('reconnects after the port vanishes and reads scans from the new pair', async () => {
    const { p, scans } = await connectedScanner();
    const gone = nextEvent<PortStatus>(reader!, 'status', (s) => s === 'disconnected');
    await p.stop();
    await gone;
    await new Promise((r) => setTimeout(r, 250));

    const p2 = await startPair(join(dir, 'a'), join(dir, 'b'));
    pairs.push(p2);
    const scanner = new PtyPeer(p2.b);
    peers.push(scanner);
    await waitForStatus(reader!, 'connected');
    scanner.write('P:after-replug\r\n');
    await until(() => scans.length >= 1, 'a scan after reconnect');
    expect(scans).toEqual([{ kind: 'product', id: 'after-replug' }]);
  });

  it('notices a replug faster than its check interval (same path, new device node)', async () => {
    const p = await startPair(join(dir, 'a'), join(dir, 'b'));
    pairs.push(p);
    const log = captureLog();
    reader = createBarcodeReader({ path: p.a, baudRate: 9600, reconnectMs: 400 }, log);
    const scans: ScanEvent[] = [];
    reader.on('scan', (s) => scans.push(s));
    await waitForStatus(reader, 'connected');

    const gone = nextEvent<PortStatus>(reader, 'status', (s) => s === 'disconnected');
    await p.stop();
    const p2 = await startPair(join(dir, 'a'), join(dir, 'b')); // back before the next check
    pairs.push(p2);
    const scanner = new PtyPeer(p2.b);
    peers.push(scanner);
    await gone;
    await waitForStatus(reader, 'connected');
    scanner.write('M:quick\n');
    await until(() => scans.length >= 1, 'a scan from the new device');
    expect(scans).toEqual([{ kind: 'maker', id: 'quick' }]);
  });

  it('keeps running when a scan listener throws', async () => {
    const { scanner, log, scans } = await connectedScanner();
    reader!.prependListener('scan', () => {
      throw new Error('listener bug');
    });
    scanner.write('P:one\nP:two\n');
    await until(
      () => log.entries.filter(([, m]) => m.includes('listener bug')).length >= 2,
      'two logged listener errors',
    );
    expect(scans).toEqual([]); // the throwing listener runs first and stops each emit
    expect(reader!.status).toBe('connected');
  });
});
