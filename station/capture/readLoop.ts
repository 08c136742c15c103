// The steady read loop every source shares: open → read → emit → pace, and on any
// failure: report 'lost' once, release, retry opening every retryMs (or at once on nudge()),
// report 'back' with the first good frame. Camera and replay sources only differ in
// how they open, read and close, so loss handling is exercised by the same code in tests.
import { EventEmitter } from 'node:events';
import type { Frame, FrameSource, FrameSourceEvents, SourceState } from './types.ts';

/** What one read gave: a good RGB frame, a broken/empty read, or the end of a replay. */
export type ReadResult =
  | { kind: 'frame'; width: number; height: number; data: Buffer }
  | { kind: 'broken'; error: Error }
  | { kind: 'end' };

export interface ReadLoopOptions {
  /** Wait between reopen attempts while lost (ms). */
  retryMs?: number;
  /** A read that takes longer than this marks the source lost (the read is still awaited). */
  readTimeoutMs?: number;
}

export abstract class ReadLoopSource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  private _state: SourceState = 'stopped';
  private _lastError: Error | undefined;
  private running = false;
  private opened = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private seq = 0;
  protected readonly retryMs: number;
  protected readonly readTimeoutMs: number;

  constructor(opts: ReadLoopOptions = {}) {
    super();
    this.retryMs = positive(opts.retryMs ?? 2000, 'retryMs');
    this.readTimeoutMs = positive(opts.readTimeoutMs ?? 5000, 'readTimeoutMs');
  }

  /** Open the device/file; throw an Error naming it when it is not available. */
  protected abstract open(): Promise<void>;
  /** Read the next frame. May throw (treated as a broken read). */
  protected abstract read(): Promise<ReadResult>;
  /** Release the device/file. Must not throw. */
  protected abstract close(): void;
  /** Milliseconds between frames for replays; 0 when the device paces itself. */
  protected abstract frameIntervalMs(): number;

  get state(): SourceState {
    return this._state;
  }

  get lastError(): Error | undefined {
    return this._lastError;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this._state = 'running';
    this.loopDone = this.loop().catch((err: unknown) => {
      // Only a bug can land here (every device error is handled in loop); keep the process alive.
      this.markLost(err instanceof Error ? err : new Error(String(err)));
      this._state = 'stopped';
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
    this.loopDone = undefined;
    this._state = 'stopped';
  }

  nudge(): void {
    if (this._state === 'lost') this.wake?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (!this.opened) {
        try {
          await this.open();
          this.opened = true;
        } catch (err) {
          this.markLost(asError(err));
          await this.sleep(this.retryMs);
          continue;
        }
      }
      const started = performance.now();
      const result = await this.readWithWatchdog();
      if (!this.running) break;
      if (result.kind === 'broken') {
        this.markLost(result.error);
        this.closeQuietly();
        await this.sleep(this.retryMs);
        continue;
      }
      if (result.kind === 'end') {
        this.closeQuietly();
        this.running = false;
        this._state = 'stopped';
        this.emit('end');
        return;
      }
      if (this._state === 'lost') {
        this._state = 'running';
        this.emit('back');
      }
      this.emitFrame({
        seq: this.seq++,
        // Epoch ms from the monotonic clock: a wall-clock step cannot fake or break steadiness.
        capturedAt: Math.round(performance.timeOrigin + performance.now()),
        width: result.width,
        height: result.height,
        channels: 3,
        data: result.data,
      });
      const interval = this.frameIntervalMs();
      // Always yield to the event loop, even when the device paces itself.
      await this.sleep(Math.max(0, interval - (performance.now() - started)));
    }
    this.closeQuietly();
  }

  private async readWithWatchdog(): Promise<ReadResult> {
    const reading = this.read().then(
      (r) => validate(r),
      (err: unknown): ReadResult => ({ kind: 'broken', error: asError(err) }),
    );
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.readTimeoutMs);
    });
    const first = await Promise.race([reading, watchdog]);
    clearTimeout(timer);
    if (first !== 'timeout') return first;
    // A hung read cannot be cancelled (the native call owns the device): report it, then keep waiting.
    this.markLost(new Error(`${this.describe()} delivered no frame for ${this.readTimeoutMs} ms`));
    return reading;
  }

  private emitFrame(frame: Frame): void {
    try {
      this.emit('frame', frame);
    } catch (err) {
      // A listener's bug must not stop capture.
      console.error(`frame listener failed on frame ${frame.seq}:`, err);
    }
  }

  protected markLost(error: Error): void {
    this._lastError = error;
    if (this._state === 'lost' || !this.running) return;
    this._state = 'lost';
    try {
      this.emit('lost', error);
    } catch (err) {
      console.error('lost listener failed:', err);
    }
  }

  /** Report a non-fatal problem; printed when nobody listens so it is never silent. */
  protected warn(warning: Error): void {
    if (this.listenerCount('warning') > 0) this.emit('warning', warning);
    else console.warn(`warning: ${warning.message}`);
  }

  /** A short name for messages, e.g. "camera /dev/video0". */
  protected abstract describe(): string;

  private closeQuietly(): void {
    if (!this.opened) return;
    this.opened = false;
    try {
      this.close();
    } catch {
      // Releasing a vanished device can fail; nothing more to do.
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.wake === done) self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}

function validate(r: ReadResult): ReadResult {
  if (r.kind !== 'frame') return r;
  if (r.width <= 0 || r.height <= 0 || r.data.length !== r.width * r.height * 3) {
    return {
      kind: 'broken',
      error: new Error(`broken frame: ${r.width}x${r.height} with ${r.data.length} bytes (expected RGB)`),
    };
  }
  return r;
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function positive(v: number, name: string): number {
  if (!Number.isFinite(v) || v <= 0)
    throw new Error(`capture option ${name} must be a positive number of ms, got ${v}`);
  return v;
}
