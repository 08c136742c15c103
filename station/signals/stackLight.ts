/*
 * Stack light / buzzer line protocol (full text: station/signals/PROTOCOL.md)
 *
 *   Link:   serial, 8 data bits, no parity, 1 stop bit, no flow control; baud from config (9600 typical).
 *   Host → board, one ASCII line per state, ended by LF ("\n"):
 *     PASS     item accepted                 e.g. green, short beep
 *     REVIEW   a person should look          e.g. amber, two beeps
 *     FAIL     item rejected                 e.g. red, long beep
 *     BUSY     inspecting, keep hands off    e.g. amber blinking
 *     FAULT    station cannot inspect        e.g. red blinking (camera lost, model missing)
 *     IDLE     waiting for the next item     e.g. all off or green dim
 *   A line is a level, not an event: the board shows the last state it received until the next.
 *   The board should ignore CR, blank lines and unknown words (future states).
 *   The host re-sends its current state every time the port (re)opens, after `openDelayMs`
 *   (boards that reset on port open, like many Arduinos, need ~2000 ms to boot).
 *   Board → host (optional): "OK\n" after each accepted line, anything else is logged. The host
 *   never waits for a reply.
 */

import { EventEmitter } from 'node:events';
import { SerialLinePort, type PortStatus, type SerialLineOptions, printable } from './lineProtocol.ts';
import type { Log } from '../shared/domain.d.ts';

export const STACK_LIGHT_STATES = ['PASS', 'REVIEW', 'FAIL', 'BUSY', 'FAULT', 'IDLE'] as const;
export type StackLightState = (typeof STACK_LIGHT_STATES)[number];

export interface StackLightOptions extends SerialLineOptions {
  /** Wait this long after the port opens before re-sending the current state. Default 0. */
  openDelayMs?: number;
}

export interface StackLightEvents {
  status: [status: PortStatus];
  /** The board answered "OK". */
  ack: [];
  /** The board sent a line that is not "OK". */
  reply: [line: string];
}

export class StackLight extends EventEmitter<StackLightEvents> {
  private readonly port: SerialLinePort;
  private last: StackLightState | null = null;
  private resendTimer: NodeJS.Timeout | null = null;
  private readonly openDelayMs: number;

  constructor(
    opts: StackLightOptions,
    private readonly log: Pick<Log, 'info' | 'warn'>,
  ) {
    super();
    const openDelayMs = opts?.openDelayMs ?? 0;
    if (!Number.isFinite(openDelayMs) || openDelayMs < 0) {
      throw new Error(
        `stack light: "openDelayMs" must be a number of milliseconds >= 0 (got ${String(opts.openDelayMs)})`,
      );
    }
    this.openDelayMs = openDelayMs;
    this.port = new SerialLinePort({ ...opts, label: opts?.label ?? 'stack light' }, log);
    this.port.on('status', (status) => {
      if (status === 'connected') this.resendAfterOpen();
      else this.cancelResend();
      this.emit('status', status);
    });
    this.port.on('line', (line) => {
      if (line.trim().toUpperCase() === 'OK') this.emit('ack');
      else {
        this.log.info(`stack light: board on ${this.port.path} said "${printable(line)}"`);
        this.emit('reply', line);
      }
    });
  }

  get status(): PortStatus {
    return this.port.status;
  }

  /** The state the light should be showing (sent, or to be sent on reconnect). */
  get state(): StackLightState | null {
    return this.last;
  }

  /**
   * Shows a state. Never throws: while the port is away the state is remembered and sent on
   * reconnect. Returns true if the line was handed to the port now.
   */
  show(state: StackLightState): boolean {
    if (!(STACK_LIGHT_STATES as readonly string[]).includes(state)) {
      this.log.warn(
        `stack light: unknown state "${String(state)}" ignored; use one of ${STACK_LIGHT_STATES.join(', ')}`,
      );
      return false;
    }
    this.last = state;
    // While a delayed re-send is pending the board may still be booting: let the timer send it.
    if (this.resendTimer) return false;
    return this.port.writeLine(state);
  }

  async close(): Promise<void> {
    this.cancelResend();
    await this.port.close();
    this.removeAllListeners();
  }

  private resendAfterOpen(): void {
    this.cancelResend();
    const send = () => {
      this.resendTimer = null;
      if (this.last) this.port.writeLine(this.last);
    };
    if (this.openDelayMs === 0) send();
    else {
      this.resendTimer = setTimeout(send, this.openDelayMs);
      this.resendTimer.unref();
    }
  }

  private cancelResend(): void {
    if (this.resendTimer) clearTimeout(this.resendTimer);
    this.resendTimer = null;
  }
}

/** Opens (and keeps reopening) the stack light's serial port. Throws only on invalid settings. */
export function createStackLight(opts: StackLightOptions, log: Pick<Log, 'info' | 'warn'>): StackLight {
  return new StackLight(opts, log);
}
