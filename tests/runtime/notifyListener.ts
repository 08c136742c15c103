// A real unix datagram socket standing in for systemd's NOTIFY_SOCKET: socat listens on it and prints each
// datagram it receives (the station ends each of its messages with a newline, so they arrive as lines).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** socat on a datagram socket; every line it has printed, with when it arrived. */
export class NotifyListener {
  readonly lines: { at: number; line: string }[] = [];
  private constructor(
    readonly socket: string,
    private readonly child: ChildProcess,
  ) {
    let rest = '';
    child.stdout?.on('data', (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) this.lines.push({ at: Date.now(), line });
    });
  }

  static async start(dir: string): Promise<NotifyListener> {
    const socket = path.join(dir, 'notify.sock');
    const child = spawn('socat', ['-u', `UNIX-RECVFROM:${socket},fork`, 'STDOUT'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await until(() => existsSync(socket), 'socat to bind its socket');
    return new NotifyListener(socket, child);
  }

  count(line: string): number {
    return this.lines.filter((l) => l.line === line).length;
  }

  stop(): void {
    this.child.kill();
  }
}

export async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
