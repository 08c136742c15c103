// The presence state machine driven frame by frame with synthetic frames and chosen
// timestamps (no timers): counts, ordering, ROI, manual trigger, re-arming, light drift.
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../station/capture/types.ts';
import { PresenceTrigger, type InspectInfo, type TriggerState } from '../../station/trigger/presence.ts';
import { drawItem, itemShape, noisyBench } from '../capture/replaySet.ts';
import { DEFAULT_CONFIG } from '../../station/config.ts';
import { demoEmptyBench, demoReplayItem } from '../../station/demo/demoStation.ts';

const W = 320;
const H = 240;
const FPS_MS = 40;

function harness(config: ConstructorParameters<typeof PresenceTrigger>[0] = {}) {
  const trigger = new PresenceTrigger({ steadyMs: 200, emptyMs: 200, ...config });
  const states: TriggerState[] = [];
  const inspects: { frame: Frame; info: InspectInfo }[] = [];
  trigger.on('state', (s) => states.push(s));
  trigger.on('inspect', (frame, info) => {
    inspects.push({ frame, info });
    trigger.inspectionDone();
  });
  let seq = 0;
  let t = 1_000_000;
  /** seq of the frame being fed when each inspect fired. */
  const firedAt: number[] = [];
  trigger.on('inspect', () => firedAt.push(seq));
  const feed = (data: Buffer, count = 1) => {
    for (let i = 0; i < count; i++) {
      trigger.push({ seq, capturedAt: t, width: W, height: H, channels: 3, data });
      seq++;
      t += FPS_MS;
    }
  };
  const nextSeq = () => seq;
  return { trigger, states, inspects, feed, firedAt, nextSeq };
}

// Fresh sensor noise on every frame, like a real camera.
let noiseSeed = 100;
const bench = () => noisyBench(W, H, noiseSeed++);
const item = (i: number, dx = 0) =>
  drawItem(noisyBench(W, H, noiseSeed++), W, H, itemShape(i, { cx: 0.5 + dx / W, cy: 0.5 }));

function feedBench(feed: (d: Buffer) => void, frames: number) {
  for (let i = 0; i < frames; i++) feed(bench());
}

describe('PresenceTrigger', () => {
  it('inspects each placed item exactly once, after it settles, then waits for an empty bench', () => {
    const { states, inspects, feed, firedAt, nextSeq } = harness();
    feedBench(feed, 5);
    const settledFrom: number[] = [];
    for (let i = 0; i < 4; i++) {
      // Placed by hand: slides 16, -10, 6 px before resting.
      for (const dx of [16, -10, 6]) feed(item(i, dx));
      settledFrom.push(nextSeq());
      for (let k = 0; k < 15; k++) feed(item(i)); // 600 ms on the bench, steadyMs is 200
      feedBench(feed, 8);
    }
    expect(inspects).toHaveLength(4);
    for (let i = 0; i < 4; i++) {
      // Picked from the still frames, and only once they had been still for steadyMs (200 ms = 5 frames).
      expect(inspects[i].frame.seq).toBeGreaterThanOrEqual(settledFrom[i]);
      expect(firedAt[i]).toBeGreaterThanOrEqual(settledFrom[i] + 5);
      expect(firedAt[i]).toBeLessThanOrEqual(settledFrom[i] + 6);
    }
    expect(inspects.every((x) => x.info.cause === 'auto')).toBe(true);
    // The inspected frame is a settled one (item centred, not one of the sliding frames).
    for (const { frame, info } of inspects) {
      expect(info.motion).toBeLessThanOrEqual(0.004);
      const centre = ((H / 2) * W + W / 2) * 3;
      expect(Math.abs(frame.data[centre] - 128)).toBeGreaterThan(40);
    }
    expect(states.slice(0, 5)).toEqual(['item', 'steady', 'inspecting', 'waiting-empty', 'empty']);
    expect(states.filter((s) => s === 'inspecting')).toHaveLength(4);
  });

  it('does not inspect while the item keeps moving, nor when it is taken away before settling', () => {
    const { inspects, feed, trigger } = harness();
    feedBench(feed, 5);
    for (let k = 0; k < 20; k++) feed(item(0, (k % 2) * 12)); // jiggling for 800 ms
    expect(inspects).toHaveLength(0);
    expect(trigger.state).toBe('item');
    feedBench(feed, 3);
    expect(trigger.state).toBe('empty');
    expect(inspects).toHaveLength(0);
  });

  it('does not re-arm until the bench has been empty for emptyMs', () => {
    const { inspects, feed, trigger } = harness({ emptyMs: 400 });
    feedBench(feed, 3);
    feed(item(1), 10);
    expect(inspects).toHaveLength(1);
    feed(item(1), 30); // left on the bench: no second inspection
    expect(inspects).toHaveLength(1);
    feedBench(feed, 5); // 160 ms empty: not enough
    feed(item(1), 10); // put back: still the same cycle
    expect(inspects).toHaveLength(1);
    expect(trigger.state).toBe('waiting-empty');
    feedBench(feed, 12); // 440 ms empty: re-armed
    expect(trigger.state).toBe('empty');
    feed(item(2), 10);
    expect(inspects).toHaveLength(2);
  });

  it('stays inspecting until inspectionDone() (or the timeout)', () => {
    const trigger = new PresenceTrigger({ steadyMs: 100, emptyMs: 100, inspectTimeoutMs: 1000 });
    let t = 0;
    let n = 0;
    trigger.on('inspect', () => n++);
    const push = (data: Buffer) =>
      trigger.push({ seq: 0, capturedAt: (t += 50), width: W, height: H, channels: 3, data });
    push(bench());
    for (let k = 0; k < 5; k++) push(item(3));
    expect(trigger.state).toBe('inspecting');
    for (let k = 0; k < 10; k++) push(bench()); // 500 ms, no done() yet
    expect(trigger.state).toBe('inspecting');
    trigger.inspectionDone(); // bench already empty long enough → armed at once
    expect(trigger.state).toBe('empty');
    for (let k = 0; k < 5; k++) push(item(4));
    expect(n).toBe(2);
    for (let k = 0; k < 25; k++) push(bench()); // never done(): the timeout frees it
    expect(trigger.state).toBe('empty');
  });

  it('ignores changes outside the region of interest', () => {
    const roi = { x: 0.5, y: 0, width: 0.5, height: 1 }; // right half only
    const { inspects, feed, trigger } = harness({ roi });
    feedBench(feed, 3);
    const left = () => drawItem(noisyBench(W, H, noiseSeed++), W, H, { ...itemShape(0), cx: 0.22 });
    for (let k = 0; k < 20; k++) feed(left());
    expect(inspects).toHaveLength(0);
    expect(trigger.state).toBe('empty');
    feedBench(feed, 3);
    const right = () => drawItem(noisyBench(W, H, noiseSeed++), W, H, { ...itemShape(0), cx: 0.75 });
    for (let k = 0; k < 20; k++) feed(right());
    expect(inspects).toHaveLength(1);
  });

  it('manual trigger inspects the current frame regardless of state, and needs a frame', () => {
    const { trigger, inspects, feed } = harness();
    expect(() => trigger.manual()).toThrow(/no frame/);
    feedBench(feed, 3);
    trigger.manual();
    expect(inspects).toHaveLength(1);
    expect(inspects[0].info.cause).toBe('manual');
    expect(inspects[0].frame.seq).toBe(2);
    trigger.sourceLost();
    expect(() => trigger.manual()).toThrow(/camera/);
  });

  it('follows slow light drift on the empty bench without triggering', () => {
    const { inspects, feed, trigger } = harness();
    for (let k = 0; k < 80; k++) {
      const b = noisyBench(W, H, noiseSeed++, 128 + Math.round(k * 0.75)); // +60 grey levels over 3.2 s
      feed(b);
    }
    expect(inspects).toHaveLength(0);
    expect(trigger.state).toBe('empty');
    expect(trigger.measure.presence).toBeLessThan(0.02);
  });

  it('without adaptation the same drift would read as an item (the drift test can fail)', () => {
    const { feed, trigger } = harness({ adaptRate: 0 });
    for (let k = 0; k < 80; k++) feed(noisyBench(W, H, noiseSeed++, 128 + Math.round(k * 0.75)));
    expect(trigger.state).not.toBe('empty');
  });

  it('rejects bad config with the field name', () => {
    expect(() => new PresenceTrigger({ presenceFraction: 2 })).toThrow(/presenceFraction/);
    expect(() => new PresenceTrigger({ roi: { x: 0.8, y: 0, width: 0.5, height: 1 } })).toThrow(/roi/);
    expect(() => new PresenceTrigger({ steadyMs: -1 })).toThrow(/steadyMs/);
  });

  it('a slow inspection does not make it miss the next item swapped in meanwhile', () => {
    const trigger = new PresenceTrigger({ steadyMs: 100, emptyMs: 100 });
    let t = 0;
    const got: number[] = [];
    trigger.on('inspect', (f) => got.push(f.seq));
    let seq = 0;
    const push = (data: Buffer) =>
      trigger.push({ seq: seq++, capturedAt: (t += 40), width: W, height: H, channels: 3, data });
    push(bench());
    for (let k = 0; k < 5; k++) push(item(0));
    expect(got).toHaveLength(1);
    for (let k = 0; k < 5; k++) push(bench()); // removed: 200 ms empty, inspection still running
    for (let k = 0; k < 5; k++) push(item(1)); // next item already placed
    expect(trigger.state).toBe('inspecting');
    trigger.inspectionDone();
    for (let k = 0; k < 6; k++) push(item(1));
    expect(got).toHaveLength(2);
  });
});

describe('the demo bench', () => {
  it("sees every one of the demo replay items (teal glaze of the grey bench's brightness) and inspects each once", () => {
    const bench = demoEmptyBench();
    const trigger = new PresenceTrigger({ ...DEFAULT_CONFIG.trigger, steadyMs: 150, emptyMs: 150 });
    const frame = (data: Uint8Array, t: number): Frame => ({
      seq: 0,
      capturedAt: t,
      width: bench.width,
      height: bench.height,
      channels: 3,
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    });
    const inspected: number[] = [];
    let current = -1;
    trigger.on('inspect', () => {
      inspected.push(current);
      trigger.inspectionDone();
    });
    let t = 0;
    trigger.push(frame(bench.rgb, t));
    for (let k = 0; k < 24; k++) {
      const item = demoReplayItem(k);
      current = -1;
      for (let i = 0; i < 8; i++) trigger.push(frame(bench.rgb, (t += 33)));
      current = k;
      for (let i = 0; i < 15; i++) trigger.push(frame(item.rgb, (t += 33)));
    }
    expect(inspected).toEqual(Array.from({ length: 24 }, (_, k) => k));
  });
});
