/**
 * systemd's notification socket ($NOTIFY_SOCKET, a unix datagram socket). Node cannot send unix datagrams, so one
 * long-lived `socat` child carries the messages: every line written to its stdin leaves as a datagram. One child
 * for the station's life rather than a `systemd-notify --no-block` per message: systemd attributes a datagram to a
 * unit by its sender's PID, and a sender that has already exited cannot be attributed (the race systemd-notify(1)
 * warns about); the blocking form waits on a barrier only systemd itself answers. The unit needs NotifyAccess=all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Log } from '../shared/domain.d.ts';

export interface Notifier {
  /** Sends one notification, e.g. "READY=1\nSTATUS=serving". */
  send(message: string): void;
  /** Ends the helper once what was sent has left. */
  close(): Promise<void>;
}

/** socat's address for the socket: a leading '@' names an abstract socket. */
function socatAddress(socket: string): string {
  return socket.startsWith('@') ? `ABSTRACT-SENDTO:${socket.slice(1)}` : `UNIX-SENDTO:${socket}`;
}

/** The notifier for $NOTIFY_SOCKET, or null when the station was not started by systemd (nothing is ever sent). */
export function openNotifier(env: NodeJS.ProcessEnv, log: Log): Notifier | null {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return null;
  let child: ChildProcess | null = spawn('socat', ['-u', 'STDIN', socatAddress(socket)], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (d: Buffer) => {
    errors += d.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child?.once('error', (err) => {
      log.error(`systemd notifications cannot be sent (is Debian's socat installed?): ${err.message}`);
      child = null;
      resolve();
    });
    child?.once('exit', (code) => {
      if (child && code !== 0) log.error(`systemd notifications stopped: socat exited ${code}: ${errors.trim()}`);
      child = null;
      resolve();
    });
  });
  child.stdin?.on('error', () => {}); // a dead helper is reported by 'exit' above
  return {
    send(message) {
      // Newline-terminated: should two writes reach socat as one read, the datagram still parses as two lines.
      child?.stdin?.write(`${message}\n`);
    },
    async close() {
      child?.stdin?.end();
      await exited;
    },
  };
}
