// Reading a new password for a users CLI (the station's and the hub's): typed twice without echo on a terminal, or
// the first line of piped input.
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable;
  stderr: Writable;
}

/** The two typed passwords differ: a usage mistake, nothing is changed. */
export class PasswordsDifferError extends Error {}

/** First line of piped stdin. */
function readLine(stdin: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.pause();
      resolve(buf.split(/\r?\n/)[0]);
    };
    const onData = (chunk: Buffer | string) => {
      buf += chunk.toString();
      if (buf.includes('\n')) done();
    };
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('error', reject);
    stdin.resume();
  });
}

/** A line typed on the terminal without echo. */
function readHidden(io: CliIo, prompt: string): Promise<string> {
  io.stdout.write(prompt);
  io.stdin.setRawMode?.(true);
  return new Promise((resolve) => {
    let value = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          io.stdin.off('data', onData);
          io.stdin.setRawMode?.(false);
          io.stdin.pause();
          io.stdout.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') process.exit(130); // Ctrl-C
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    io.stdin.on('data', onData);
    io.stdin.resume();
  });
}

export async function readPassword(io: CliIo): Promise<string> {
  if (!io.stdin.isTTY) return readLine(io.stdin);
  const first = await readHidden(io, 'password: ');
  const again = await readHidden(io, 'again: ');
  if (first !== again) throw new PasswordsDifferError('the two passwords differ; nothing was changed');
  return first;
}
