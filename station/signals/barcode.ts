/*
 * Serial barcode scanner (full text: station/signals/PROTOCOL.md)
 *
 *   Link: serial (or a USB scanner in virtual-COM mode), 8N1, baud from config (9600 typical).
 *   Scanner → host: one code per line, ended by CR, LF or CRLF (scanners differ; all are accepted).
 *   A code is, in this order:
 *     1. a key of the configured mapping         → that { kind, id }  (for labels already printed)
 *     2. "P:<product-id>"  (prefix any case)      → { kind: 'product', id }
 *     3. "M:<maker-id>"    (a maker's badge)      → { kind: 'maker', id }
 *     4. anything else                            → { kind: 'unknown', code } (reported, never dropped)
 *   Surrounding whitespace is trimmed; ids keep their case.
 */

import { EventEmitter } from 'node:events';
import { printable, SerialLinePort, type PortStatus, type SerialLineOptions } from './lineProtocol.ts';
import type { Log } from '../shared/domain.d.ts';

export type ScanTarget = { kind: 'product'; id: string } | { kind: 'maker'; id: string };
export type ScanEvent = ScanTarget | { kind: 'unknown'; code: string };
export type BarcodeMapping = Record<string, ScanTarget>;

export interface BarcodeOptions extends SerialLineOptions {
  /** Codes that stand for a product or maker without the P:/M: prefix. */
  mapping?: BarcodeMapping;
}

export interface BarcodeEvents {
  scan: [scan: ScanEvent];
  status: [status: PortStatus];
}

/** Checks a config mapping and returns a clean copy (keys and ids trimmed). */
export function validateBarcodeMapping(mapping: unknown): Map<string, ScanTarget> {
  const out = new Map<string, ScanTarget>();
  if (mapping === undefined) return out;
  if (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping)) {
    throw new Error(
      'barcode scanner: "mapping" must be an object of { "<code>": { "kind": "product"|"maker", "id": "<id>" } }',
    );
  }
  for (const [rawCode, target] of Object.entries(mapping as Record<string, unknown>)) {
    const code = rawCode.trim();
    if (code === '')
      throw new Error('barcode scanner: "mapping" has an empty code; remove it or give the printed code');
    const t = target as { kind?: unknown; id?: unknown } | null;
    if (!t || (t.kind !== 'product' && t.kind !== 'maker')) {
      throw new Error(`barcode scanner: mapping for code "${code}" needs "kind": "product" or "maker"`);
    }
    if (typeof t.id !== 'string' || t.id.trim() === '') {
      throw new Error(`barcode scanner: mapping for code "${code}" needs a non-empty string "id"`);
    }
    out.set(code, { kind: t.kind, id: t.id.trim() });
  }
  return out;
}

/** Turns one scanned line into what it selects. Pure. */
export function parseScan(line: string, mapping: ReadonlyMap<string, ScanTarget> = new Map()): ScanEvent {
  const code = line.trim();
  const mapped = mapping.get(code);
  if (mapped) return { ...mapped };
  const m = /^([PM]):(.+)$/i.exec(code);
  if (m) {
    const id = m[2].trim();
    if (id !== '') return { kind: m[1].toUpperCase() === 'P' ? 'product' : 'maker', id };
  }
  return { kind: 'unknown', code };
}

const UNKNOWN_WINDOW_MS = 60_000;
const UNKNOWN_PER_WINDOW = 5;

export class BarcodeReader extends EventEmitter<BarcodeEvents> {
  private readonly port: SerialLinePort;
  private readonly mapping: Map<string, ScanTarget>;

  constructor(opts: BarcodeOptions, log: Pick<Log, 'info' | 'warn'>) {
    super();
    this.mapping = validateBarcodeMapping(opts?.mapping);
    this.port = new SerialLinePort({ ...opts, label: opts?.label ?? 'barcode scanner' }, log);
    this.port.on('status', (status) => this.emit('status', status));
    this.port.on('line', (line) => {
      const scan = parseScan(line, this.mapping);
      if (scan.kind === 'unknown') this.unknownCode(scan.code, log);
      this.emit('scan', scan);
    });
  }

  get status(): PortStatus {
    return this.port.status;
  }

  // A noisy or misconfigured scanner must not flood the log: a few lines a minute, then a count.
  private unknownWindow = { start: 0, logged: 0, quiet: 0 };

  private unknownCode(code: string, log: Pick<Log, 'info' | 'warn'>): void {
    const w = this.unknownWindow;
    const now = Date.now();
    if (now - w.start > UNKNOWN_WINDOW_MS) {
      if (w.quiet) log.warn(`barcode scanner: ${w.quiet} more unknown code(s) on ${this.port.path} were not logged`);
      Object.assign(w, { start: now, logged: 0, quiet: 0 });
    }
    if (w.logged++ < UNKNOWN_PER_WINDOW) {
      log.warn(
        `barcode scanner: unknown code "${printable(code)}" on ${this.port.path}; expected P:<product-id>, M:<maker-id> or a code from the mapping`,
      );
    } else w.quiet++;
  }

  async close(): Promise<void> {
    await this.port.close();
    this.removeAllListeners();
  }
}

/** Opens (and keeps reopening) the scanner's serial port. Throws only on invalid settings. */
export function createBarcodeReader(opts: BarcodeOptions, log: Pick<Log, 'info' | 'warn'>): BarcodeReader {
  return new BarcodeReader(opts, log);
}
