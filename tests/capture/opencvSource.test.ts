// OpenCvSource over real video files written with OpenCV's VideoWriter (MJPG .avi), real
// missing devices, and the presence trigger on top. No camera exists here, so the camera
// path is exercised through its failure handling only.
import { existsSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenCv } from '../../station/capture/opencv.ts';
import { OpenCvSource, openVideoCapture } from '../../station/capture/opencvSource.ts';
import type { Frame } from '../../station/capture/types.ts';
import { PresenceTrigger } from '../../station/trigger/presence.ts';
import { ended, record, waitFor } from './record.ts';
import { ITEM_COLOURS, drawItem, itemShape, meanRgb, noisyBench } from './replaySet.ts';

const cv = loadOpenCv();
const W = 320;
const H = 240;
const FPS = 30;
const dir = mkdtempSync(path.join(tmpdir(), 'video-'));
const sources: OpenCvSource[] = [];
const make = (o: ConstructorParameters<typeof OpenCvSource>[0]) => {
  const s = new OpenCvSource(o);
  sources.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

/** Write RGB frames as an MJPG .avi (fresh sensor noise on every frame, like a camera). */
function writeVideo(file: string, frames: Buffer[], fps = FPS): void {
  const writer = new cv.VideoWriter(file, cv.VideoWriter.fourcc('MJPG'), fps, new cv.Size(W, H), true);
  for (const rgb of frames) writer.write(new cv.Mat(rgb, H, W, cv.CV_8UC3).cvtColor(cv.COLOR_RGB2BGR));
  writer.release();
}

let seed = 1;
const bench = () => noisyBench(W, H, seed++);
/** gap, then for each item: settling (3 shifted frames), still frames, gap. */
function benchTimeline(items: number, holdFrames = 9, gapFrames = 9): Buffer[] {
  const out: Buffer[] = [];
  for (let k = 0; k < gapFrames; k++) out.push(bench());
  for (let i = 0; i < items; i++) {
    for (const dx of [14, -9, 5]) out.push(drawItem(bench(), W, H, itemShape(i, { cx: 0.5 + dx / W, cy: 0.5 })));
    for (let k = 3; k < holdFrames; k++) out.push(drawItem(bench(), W, H, itemShape(i)));
    for (let k = 0; k < gapFrames; k++) out.push(bench());
  }
  return out;
}

let itemsVideo: string;
beforeAll(() => {
  itemsVideo = path.join(dir, 'items.avi');
  writeVideo(itemsVideo, benchTimeline(4));
});

describe('OpenCvSource on a video file', () => {
  it('replays an MJPG file as RGB frames; the trigger gives exactly one inspection per item', async () => {
    const src = make({ input: itemsVideo, loop: false });
    expect(src.kind).toBe('video');
    const trigger = new PresenceTrigger({ steadyMs: 100, emptyMs: 100 });
    trigger.attach(src);
    const inspected: Frame[] = [];
    trigger.on('inspect', (f) => {
      inspected.push(f);
      trigger.inspectionDone();
    });
    const rec = record(src);
    src.start();
    await ended(src);
    expect(rec.frames()).toHaveLength(9 + 4 * 18);
    expect(rec.types()).not.toContain('lost');
    expect(inspected).toHaveLength(4);
    // Each inspection shows its own item, in order, in RGB (MJPG costs a few levels).
    inspected.forEach((f, i) => {
      const got = meanRgb(f.data, W, H, 0.5, 0.5);
      const want = ITEM_COLOURS[i];
      got.forEach((v, c) => {
        expect(Math.abs(v - want[c])).toBeLessThan(20);
      });
    });
  });

  it('paces the replay at the file rate, or at replayFps', async () => {
    const short = path.join(dir, 'short.avi');
    writeVideo(short, Array.from({ length: 12 }, bench), 20);
    const timed = async (o: { replayFps?: number }) => {
      const src = make({ input: short, loop: false, ...o });
      const rec = record(src);
      src.start();
      await ended(src);
      const f = rec.frames();
      return f[f.length - 1].capturedAt - f[0].capturedAt;
    };
    // Pacing counts from each read's start, so the first-to-last span is 11 intervals minus the first read's
    // time plus the last's: a slow first read on a loaded machine shortens it. One bound with room for that
    // still separates 20 fps (550 ms nominal) from 200 fps (55 ms nominal).
    const bound = 11 * 50 - 60;
    expect(await timed({})).toBeGreaterThanOrEqual(bound); // file says 20 fps
    expect(await timed({ replayFps: 200 })).toBeLessThan(bound);
  });

  it('loops at the end of the file without reporting a loss', async () => {
    const short = path.join(dir, 'loop.avi');
    writeVideo(short, Array.from({ length: 5 }, bench), 100);
    const src = make({ input: short, replayFps: 100 });
    const rec = record(src);
    src.start();
    await waitFor('three passes', () => rec.frames().length >= 15);
    await src.stop();
    expect(rec.types()).not.toContain('lost');
    expect(
      rec
        .frames()
        .map((f) => f.seq)
        .slice(0, 15),
    ).toEqual([...Array(15).keys()]);
  });
});

describe('OpenCvSource when the device or file is missing', () => {
  it("openVideoCapture throws an Error (not OpenCV's string) naming the device", () => {
    expect(existsSync('/dev/video9')).toBe(false);
    let thrown: unknown;
    try {
      openVideoCapture(cv, 9, 'camera');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(/could not open camera 9 .*plugged in/);
    expect(() => openVideoCapture(cv, '/dev/video9', 'camera')).toThrow(/camera \/dev\/video9/);
    expect(() => openVideoCapture(cv, path.join(dir, 'none.avi'), 'video')).toThrow(
      /video file .*none\.avi does not exist/,
    );
    const junk = path.join(dir, 'junk.avi');
    writeFileSync(junk, 'this is not a video');
    expect(() => openVideoCapture(cv, junk, 'video')).toThrow(/could not open video file .*junk\.avi/);
  });

  it('a missing camera puts the source in the lost state with a clear Error, without crashing', async () => {
    for (const input of [9, '/dev/video9']) {
      const src = make({ input, retryMs: 50 });
      expect(src.kind).toBe('camera');
      const rec = record(src);
      src.start();
      await waitFor('lost', () => src.state === 'lost');
      await new Promise((r) => setTimeout(r, 200)); // several retries: still one 'lost' event
      expect(rec.types()).toEqual(['lost']);
      const e = rec.events[0];
      expect(e.type === 'lost' && e.error).toBeInstanceOf(Error);
      expect(src.lastError?.message).toContain(`camera ${input}`);
      await src.stop();
      expect(src.state).toBe('stopped');
    }
  });

  it('a video file that appears later is picked up at once on nudge()', async () => {
    const later = path.join(dir, 'later.avi');
    const src = make({ input: later, retryMs: 60_000, replayFps: 100 });
    const rec = record(src);
    src.start();
    await waitFor('lost', () => src.state === 'lost');
    expect(src.lastError?.message).toMatch(/does not exist/);
    const tmp = path.join(dir, 'later-tmp.avi');
    writeVideo(tmp, Array.from({ length: 5 }, bench));
    renameSync(tmp, later);
    src.nudge();
    await waitFor('frames after nudge', () => rec.frames().length >= 3, 3000);
    expect(rec.outline().slice(0, 3)).toEqual(['lost', 'back', 'frame']);
  });

  it('rejects an empty input and a bad replay rate', () => {
    expect(() => make({ input: '' })).toThrow(/camera input/);
    expect(() => make({ input: itemsVideo, replayFps: 0 })).toThrow(/replayFps/);
  });
});
