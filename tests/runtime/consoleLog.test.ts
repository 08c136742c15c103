import { describe, expect, it } from 'vitest';
import { consoleLog } from '../../station/runtime/consoleLog.ts';

describe('the console log', () => {
  const at = () => new Date(Date.UTC(2026, 10, 30, 8, 5, 9));

  it('writes one stamped line per event, warnings and errors to the error stream', () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = consoleLog(
      (l) => out.push(l),
      (l) => err.push(l),
      at,
    );
    log.info('inspection 4: PASS');
    log.warn('camera lost');
    log.error('cannot record');
    expect(out).toEqual(['08:05:09 inspection 4: PASS']);
    expect(err).toEqual(['08:05:09 warning: camera lost', '08:05:09 error: cannot record']);
  });

  it("prints the detail a caller attached, a failed request's stack indented under its line", () => {
    const err: string[] = [];
    const log = consoleLog(
      () => {},
      (l) => err.push(l),
      at,
    );
    log.error('GET /api/inspections failed', { error: 'Error: disk I/O error\n    at list (inspections.ts:12:3)' });
    log.warn('slow', { ms: 812, stage: 'embed' });
    expect(err[0]).toBe(
      '08:05:09 error: GET /api/inspections failed\n  error: Error: disk I/O error\n      at list (inspections.ts:12:3)',
    );
    expect(err[1]).toBe('08:05:09 warning: slow\n  ms: 812\n  stage: embed');
  });
});
