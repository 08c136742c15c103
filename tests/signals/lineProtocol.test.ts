import { describe, expect, it } from 'vitest';
import { LineSplitter, SerialLinePort, validateSerialOptions } from '../../station/signals/lineProtocol.ts';
import { captureLog, until } from './socatPair.ts';

describe('LineSplitter', () => {
  it('splits on CR, LF and CRLF, also across chunk boundaries, without empty lines', () => {
    const s = new LineSplitter(100, () => undefined);
    expect(s.push('A\r')).toEqual(['A']);
    expect(s.push('\nB')).toEqual([]); // the LF finishing CRLF yields nothing
    expect(s.push(Buffer.from('C\n\nD\r\nE'))).toEqual(['BC', 'D']);
    expect(s.push('\n')).toEqual(['E']);
  });

  it('drops an over-long line up to its end and resumes', () => {
    const overflows: number[] = [];
    const s = new LineSplitter(8, (n) => overflows.push(n));
    expect(s.push('0123456789')).toEqual([]);
    expect(overflows).toEqual([10]);
    expect(s.push('more-garbage\nOK\n')).toEqual(['OK']);
  });
});

describe('serial settings', () => {
  it('fills defaults and names the port in errors', () => {
    expect(validateSerialOptions({ path: '/dev/ttyACM0', baudRate: 115200 }, 'x')).toEqual({
      path: '/dev/ttyACM0',
      baudRate: 115200,
      reconnectMs: 1000,
      maxLineLength: 1024,
      label: 'x',
    });
    expect(() => validateSerialOptions({ path: '/dev/ttyACM0', baudRate: 96.5 }, 'scanner')).toThrow(
      'scanner: serial "baudRate" for /dev/ttyACM0 must be a positive integer such as 9600 (got 96.5)',
    );
  });

  it('keeps retrying a path that is not a serial device and never throws from writeLine', async () => {
    const log = captureLog();
    // /dev/null exists but is no tty: open fails every time (unlike a missing path).
    const port = new SerialLinePort({ path: '/dev/null', baudRate: 9600, reconnectMs: 50, label: 'probe' }, log);
    const warnCount = () => log.entries.filter(([lvl]) => lvl === 'warn').length;
    await until(() => warnCount() > 0, 'the first open failure');
    await new Promise((r) => setTimeout(r, 250)); // several more attempts
    expect(port.status).toBe('disconnected');
    expect(port.writeLine('PASS')).toBe(false);
    const warns = log.entries.filter(([lvl]) => lvl === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0][1]).toMatch(/^probe: cannot open serial port \/dev\/null: .+; check the cable/);
    await port.close();
    await port.close(); // twice is fine
  });
});
