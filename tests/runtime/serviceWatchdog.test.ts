// The station under systemd, with a real unix datagram socket standing in for systemd's NOTIFY_SOCKET: socat
// listens on it and prints each datagram it receives. A real station on a replay source: READY=1 arrives when it
// serves, WATCHDOG=1 pings arrive while frames flow, they stop when the capture loop wedges (the camera still
// counting as up), resume when frames flow again, and STOPPING=1 comes on close.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Frame, createFrameSource } from '../../station/capture/index.ts';
import { captureConfig } from '../../station/runtime/captureConfig.ts';
import { openNotifier } from '../../station/runtime/sdNotify.ts';
import { stuckReason } from '../../station/runtime/serviceWatchdog.ts';
import { NotifyListener, until } from './notifyListener.ts';
import { benchConfig, benchConfigJson, makeBench, memoryLog, run, type Bench, type Running } from './harness.ts';

// 3 s watchdog: a ping each second, frames counted stalled after a second without one.
const WATCHDOG_USEC = '3000000';
const PING_MS = 1000;

let bench: Bench;
let dir: string;
let listener: NotifyListener;
let r: Running | undefined;

beforeAll(async () => {
  bench = await makeBench(2);
  dir = mkdtempSync(path.join(tmpdir(), 'notify-'));
  listener = await NotifyListener.start(dir);
});
afterAll(async () => {
  await r?.close();
  listener?.stop();
  delete process.env.NOTIFY_SOCKET;
  delete process.env.WATCHDOG_USEC;
  rmSync(dir, { recursive: true, force: true });
  rmSync(bench.dataDir, { recursive: true, force: true });
});

describe('systemd notifications from a running station', () => {
  it('READY when serving, pings while frames flow, none while the capture loop is wedged, STOPPING on close', async () => {
    // The replay loops, so frames would flow for ever; the wedge holds them back while the source stays "up".
    const camera = { ...(benchConfigJson(bench).camera as object), loop: true };
    const source = createFrameSource(captureConfig(benchConfig(bench, { camera }), null));
    let wedged = false;
    const emit = source.emit.bind(source) as (event: string, ...args: unknown[]) => boolean;
    (source as unknown as { emit: typeof emit }).emit = (event, ...args) =>
      wedged && event === 'frame' ? false : emit(event, ...args);
    let frames = 0;
    source.on('frame', (_f: Frame) => void frames++);

    process.env.NOTIFY_SOCKET = listener.socket;
    process.env.WATCHDOG_USEC = WATCHDOG_USEC;
    r = await run(bench, {}, { source });
    await until(() => listener.count('READY=1') === 1, 'READY=1');
    expect(listener.lines.find((l) => l.line.startsWith('STATUS=serving'))?.line).toBe(
      `STATUS=serving ${r.station.url}`,
    );

    // Flowing: pings keep coming.
    await until(() => listener.count('WATCHDOG=1') >= 3, 'three watchdog pings');
    expect(frames).toBeGreaterThan(0);
    expect(r.station.source.state).toBe('running');

    // Wedged: the camera still counts as up, no frame comes, the station says why and the pings stop.
    wedged = true;
    await until(() => r!.log.lines.some((l) => /holding back the watchdog/.test(l)), 'the withheld-watchdog log line');
    const pingsAtStall = listener.count('WATCHDOG=1');
    const stalledAt = Date.now();
    // Absence can only be watched for: three ping periods, systemd's whole WatchdogSec, without one.
    await new Promise((res) => setTimeout(res, 3 * PING_MS));
    expect(listener.count('WATCHDOG=1')).toBe(pingsAtStall);
    expect(listener.lines.filter((l) => l.at > stalledAt && l.line === 'WATCHDOG=1')).toEqual([]);
    expect(r.station.source.state).toBe('running'); // the wedge is invisible to the camera state: only the watchdog sees it

    // Flowing again: the pings resume (a restart by systemd would have begun by now in real life).
    wedged = false;
    await until(() => listener.count('WATCHDOG=1') > pingsAtStall, 'pings to resume');
    expect(r.log.lines.some((l) => /watchdog pings resume/.test(l))).toBe(true);

    await r.close();
    r = undefined;
    await until(() => listener.count('STOPPING=1') === 1, 'STOPPING=1');
  });

  it('a lost camera the station is reporting keeps the pings alive', () => {
    const lost = { camera: 'lost' as const, msSinceFrame: 60_000, msInspecting: 0 };
    expect(stuckReason(lost, 10_000)).toBeNull();
    expect(stuckReason({ ...lost, camera: 'ended' }, 10_000)).toBeNull();
    expect(stuckReason({ ...lost, camera: 'up' }, 10_000)).toMatch(/no frame for 60 s while the camera counts as up/);
    expect(stuckReason({ camera: 'up', msSinceFrame: 100, msInspecting: 200_000 }, 10_000)).toMatch(
      /an inspection has run for 200 s/,
    );
  });

  it('sends nothing at all when NOTIFY_SOCKET is unset', () => {
    expect(openNotifier({ WATCHDOG_USEC }, memoryLog())).toBeNull();
  });
});
