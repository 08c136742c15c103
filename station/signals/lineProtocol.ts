// One reconnecting serial port that speaks ASCII lines. Shared by the stack light and the
// barcode scanner so both behave the same when a cable is pulled: the owner never sees an
// exception, the port is retried on a fixed interval, and 'status' tells what is going on.
// The wire protocol itself is described in ./PROTOCOL.md.

import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import type { SerialPort } from 'serialport';
import type { Log } from '../shared/domain.d.ts';

export type PortStatus = 'connected' | 'disconnected';

/**
 * Serial text as it may go into a log line: control characters (escape sequences that could repaint a terminal or
 * forge log lines) shown as \xNN, and cut to `max` characters.
 */
export function printable(text: string, max = 64): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this function's job
  const shown = text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > max ? `${shown.slice(0, max)}… (${text.length} chars)` : shown;
}

export interface SerialLineOptions {
  /** Device path, e.g. /dev/ttyUSB0 or /dev/serial/by-id/... */
  path: string;
  baudRate: number;
  /** How long to wait between attempts to (re)open the port. Default 1000 ms. */
  reconnectMs?: number;
  /** Used in log lines, e.g. "stack light". */
  label?: string;
  /** Longest accepted incoming line; longer garbage is dropped with a warning. Default 1024. */
  maxLineLength?: number;
}

export interface SerialLineEvents {
  line: [line: string];
  status: [status: PortStatus];
}

/**
 * Splits a byte stream into lines ended by CR, LF or CRLF. Empty lines are dropped
 * (a CRLF pair must not produce a phantom empty line).
 */
export class LineSplitter {
  private pending = '';
  private overflowing = false;

  constructor(
    private readonly maxLength: number,
    private readonly onOverflow: (length: number) => void,
  ) {}

  push(chunk: Buffer | string): string[] {
    // latin1 keeps every byte as one char, so a split multi-byte sequence cannot corrupt the buffer.
    this.pending += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const parts = this.pending.split(/\r\n|\r|\n/);
    this.pending = parts.pop() ?? '';
    const lines: string[] = [];
    for (const part of parts) {
      if (this.overflowing) {
        // The tail of an over-long line: drop it, then resume normally.
        this.overflowing = false;
        continue;
      }
      if (part.length > 0) lines.push(part);
    }
    if (this.pending.length > this.maxLength) {
      this.onOverflow(this.pending.length);
      this.pending = '';
      this.overflowing = true;
    }
    return lines;
  }

  reset(): void {
    this.pending = '';
    this.overflowing = false;
  }
}

export function validateSerialOptions(opts: SerialLineOptions, what: string): Required<SerialLineOptions> {
  if (opts === null || typeof opts !== 'object') {
    throw new Error(`${what}: serial settings missing; give { path, baudRate }`);
  }
  if (typeof opts.path !== 'string' || opts.path.trim() === '') {
    throw new Error(`${what}: serial "path" must be a device path such as /dev/ttyUSB0`);
  }
  if (!Number.isInteger(opts.baudRate) || opts.baudRate <= 0) {
    throw new Error(
      `${what}: serial "baudRate" for ${opts.path} must be a positive integer such as 9600 (got ${String(opts.baudRate)})`,
    );
  }
  const reconnectMs = opts.reconnectMs ?? 1000;
  if (!Number.isFinite(reconnectMs) || reconnectMs < 50) {
    throw new Error(
      `${what}: "reconnectMs" for ${opts.path} must be a number of milliseconds >= 50 (got ${String(opts.reconnectMs)})`,
    );
  }
  const maxLineLength = opts.maxLineLength ?? 1024;
  if (!Number.isInteger(maxLineLength) || maxLineLength < 1) {
    throw new Error(
      `${what}: "maxLineLength" for ${opts.path} must be a positive integer (got ${String(opts.maxLineLength)})`,
    );
  }
  return { path: opts.path, baudRate: opts.baudRate, reconnectMs, maxLineLength, label: opts.label ?? what };
}

/** Longest time between two checks that an open port's device node is still the same. */
const DEVICE_CHECK_MS = 250;

type SerialPortCtor = typeof SerialPort;
let serialPortCtor: SerialPortCtor | null = null;

// Loaded on first use: serialport carries a native binding, and a station without serial
// devices configured should start even if that binding is broken.
function loadSerialPort(): SerialPortCtor {
  if (!serialPortCtor) {
    const mod = createRequire(import.meta.url)('serialport') as { SerialPort: SerialPortCtor };
    serialPortCtor = mod.SerialPort;
  }
  return serialPortCtor;
}

export class SerialLinePort extends EventEmitter<SerialLineEvents> {
  private readonly opts: Required<SerialLineOptions>;
  private port: SerialPort | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  /** Which device node the open port belongs to (see watchDevice). */
  private identity: string | null = null;
  private closed = false;
  private lastOpenError: string | null = null;
  private current: PortStatus = 'disconnected';
  private readonly splitter: LineSplitter;

  constructor(
    opts: SerialLineOptions,
    private readonly log: Pick<Log, 'info' | 'warn'>,
  ) {
    super();
    this.opts = validateSerialOptions(opts, opts?.label ?? 'serial port');
    this.splitter = new LineSplitter(this.opts.maxLineLength, (n) =>
      this.log.warn(
        `${this.opts.label}: dropped an incoming line of more than ${n} bytes on ${this.opts.path} (no line ending; wrong baud rate?)`,
      ),
    );
    // First attempt on the next tick so the owner can attach listeners before 'status' fires.
    this.schedule(0);
  }

  get status(): PortStatus {
    return this.current;
  }

  get path(): string {
    return this.opts.path;
  }

  /** Sends `text` + LF. Returns false (and sends nothing) while disconnected; never throws. */
  writeLine(text: string): boolean {
    const port = this.port;
    if (!port?.isOpen) return false;
    try {
      port.write(`${text}\n`, (err) => {
        // A failed write on a vanished device also closes the port; the 'close' handler reconnects.
        if (err) this.log.warn(`${this.opts.label}: write to ${this.opts.path} failed: ${err.message}`);
      });
      return true;
    } catch (err) {
      this.log.warn(`${this.opts.label}: write to ${this.opts.path} failed: ${errorText(err)}`);
      return false;
    }
  }

  /** Stops reconnecting and closes the port. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopWatch();
    const port = this.port;
    this.port = null;
    if (port?.isOpen) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    this.setStatus('disconnected');
    this.removeAllListeners();
  }

  private schedule(ms: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tryOpen();
    }, ms);
    // Retrying a missing device must not by itself keep the process alive.
    this.timer.unref();
  }

  private tryOpen(): void {
    if (this.closed || this.port) return;
    let port: SerialPort;
    try {
      const Ctor = loadSerialPort();
      port = new Ctor({ path: this.opts.path, baudRate: this.opts.baudRate, autoOpen: false });
    } catch (err) {
      this.openFailed(err);
      return;
    }
    // An 'error' event without a listener would crash the process.
    port.on('error', (err) => this.log.warn(`${this.opts.label}: ${this.opts.path}: ${err.message}`));
    port.open((err) => {
      if (err) {
        this.openFailed(err);
        return;
      }
      if (this.closed) {
        port.close(() => undefined);
        return;
      }
      this.port = port;
      this.splitter.reset();
      port.on('data', (chunk: Buffer) => {
        for (const line of this.splitter.push(chunk)) this.safeEmit('line', line);
      });
      port.on('close', () => this.onClosed(port));
      this.log.info(`${this.opts.label}: connected to ${this.opts.path}`);
      this.lastOpenError = null;
      this.setStatus('connected');
      this.watchDevice(port);
    });
  }

  private openFailed(err: unknown): void {
    const text = errorText(err);
    // Log the first failure and any change of reason, not every retry.
    if (text !== this.lastOpenError) {
      this.log.warn(
        `${this.opts.label}: cannot open serial port ${this.opts.path}: ${text}; ` +
          `check the cable and the path in the config; retrying every ${this.opts.reconnectMs} ms`,
      );
      this.lastOpenError = text;
    }
    this.schedule(this.opts.reconnectMs);
  }

  private onClosed(port: SerialPort): void {
    if (this.port !== port) return;
    this.lostPort('went away');
  }

  /** Forget the current port (closing it if still open) and start retrying. */
  private lostPort(why: string): void {
    const port = this.port;
    this.port = null;
    this.identity = null;
    this.stopWatch();
    if (port?.isOpen) {
      try {
        port.close(() => undefined);
      } catch {
        // already closing
      }
    }
    if (this.closed) return;
    this.log.warn(
      `${this.opts.label}: serial port ${this.opts.path} ${why}; retrying every ${this.opts.reconnectMs} ms`,
    );
    this.setStatus('disconnected');
    this.schedule(this.opts.reconnectMs);
  }

  // Why: when a tty hangs up (USB adapter pulled, pty master closed) Linux may answer reads
  // with 0 bytes instead of an error; serialport then re-reads forever and never reports a
  // disconnect (and burns CPU meanwhile). So, while connected, check a few times a second that
  // the path still leads to the same device node, and drop the port when it does not.
  private watchDevice(port: SerialPort): void {
    const tick = async () => {
      this.watchTimer = null;
      if (this.port !== port) return;
      let now: string | null;
      try {
        const st = await stat(this.opts.path);
        now = `${st.rdev}:${st.ino}:${st.ctimeMs}`;
      } catch {
        now = null;
      }
      if (this.port !== port) return;
      if (this.identity === null && now !== null) this.identity = now;
      if (now === null || now !== this.identity) {
        this.lostPort(now === null ? 'went away (device node gone)' : 'now leads to a different device');
        return;
      }
      this.watchTimer = setTimeout(() => void tick(), Math.min(this.opts.reconnectMs, DEVICE_CHECK_MS));
      this.watchTimer.unref();
    };
    void tick();
  }

  private stopWatch(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = null;
  }

  private setStatus(status: PortStatus): void {
    if (status === this.current) return;
    this.current = status;
    this.safeEmit('status', status);
  }

  // A throwing listener must not unwind into serialport's stream machinery.
  private safeEmit<K extends keyof SerialLineEvents>(event: K, ...args: SerialLineEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: SerialLineEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.warn(`${this.opts.label}: a '${event}' listener threw: ${errorText(err)}`);
    }
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
