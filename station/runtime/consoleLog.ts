// The station's log on the console: one line per event, and the detail a caller attached (a failed request's stack)
// indented below it, so "see the station log" in a 500 answer leads somewhere.
import type { Log } from '../shared/domain.d.ts';

type Write = (line: string) => void;

const stamp = (now: Date): string => now.toISOString().slice(11, 19);

function detail(extra?: Record<string, unknown>): string {
  if (!extra) return '';
  return Object.entries(extra)
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `\n  ${key}: ${String(text).replaceAll('\n', '\n  ')}`;
    })
    .join('');
}

export function consoleLog(out: Write, err: Write, now: () => Date = () => new Date()): Log {
  return {
    info: (m, extra) => out(`${stamp(now())} ${m}${detail(extra)}`),
    warn: (m, extra) => err(`${stamp(now())} warning: ${m}${detail(extra)}`),
    error: (m, extra) => err(`${stamp(now())} error: ${m}${detail(extra)}`),
  };
}
