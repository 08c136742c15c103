/** A one-line progress bar on a TTY (stderr); silent when output is piped or logged. */
export class Progress {
  private readonly tty: boolean;
  private last = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
    this.stream = stream;
  }
  private readonly stream: NodeJS.WriteStream;

  tick(done: number, note = ''): void {
    if (!this.tty) return;
    const now = Date.now();
    if (done < this.total && now - this.last < 100) return; // redraw at most 10×/s
    this.last = now;
    const width = 28;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `${this.label} ${bar} ${done}/${this.total} ${note}`;
    const cols = this.stream.columns ?? 100;
    this.stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length + 2))}`);
  }

  done(): void {
    if (this.tty) this.stream.write('\r\x1b[2K');
  }
}
