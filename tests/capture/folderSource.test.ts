// FolderSource: real PNG files decoded with sharp, played on real timers.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FolderSource } from '../../station/capture/folderSource.ts';
import { createFrameSource, type CaptureConfig } from '../../station/capture/index.ts';
import { ended, record, waitFor } from './record.ts';
import { itemShape, makeReplaySet, meanRgb, type ReplaySet } from './replaySet.ts';

let set: ReplaySet;
const sources: FolderSource[] = [];
const make = (o: Partial<ConstructorParameters<typeof FolderSource>[0]> = {}) => {
  const s = new FolderSource({
    folder: set.itemsDir,
    emptyImage: set.emptyPath,
    width: set.width,
    height: set.height,
    fps: 100,
    holdMs: 50,
    gapMs: 30,
    ...o,
  });
  sources.push(s);
  return s;
};

beforeAll(async () => {
  set = await makeReplaySet({ shapes: [0, 1, 2].map((i) => itemShape(i)) });
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

describe('FolderSource', () => {
  it('plays gap, item, gap, … as RGB frames of the configured size, then ends', async () => {
    const src = make();
    const rec = record(src);
    src.start();
    await ended(src);
    expect(src.state).toBe('stopped');
    const frames = rec.frames();
    // 3 gaps of 3 frames before the items, 3 items of 5 frames, a final gap of 3.
    expect(frames).toHaveLength(4 * 3 + 3 * 5);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    expect(frames.every((f) => f.width === 320 && f.height === 240 && f.data.length === 320 * 240 * 3)).toBe(true);
    const pattern = frames.map((f) =>
      f.data.equals(set.bench) ? '.' : String(set.items.findIndex((b) => b.equals(f.data))),
    );
    expect(pattern.join('')).toBe('...00000...11111...22222...');
    // RGB order: item 0 is dark red, item 2 is blue.
    const [r0, g0, b0] = meanRgb(frames[3].data, 320, 240, 0.5, 0.5);
    expect(r0).toBeGreaterThan(g0 + 100);
    expect(r0).toBeGreaterThan(b0 + 100);
    const [r2, , b2] = meanRgb(frames[19].data, 320, 240, 0.5, 0.5);
    expect(b2).toBeGreaterThan(r2 + 100);
  });

  it("never crops: without a size it plays at the first photo's own size; a square photo in a 4:3 frame keeps its edges", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'folder-square-'));
    // A 300×300 photo with a white band along its top and bottom edges: what a cover crop would cut off.
    const px = Buffer.alloc(300 * 300 * 3, 90);
    for (const y of [...Array(20).keys(), ...Array.from({ length: 20 }, (_, i) => 280 + i)])
      px.fill(255, y * 900, (y + 1) * 900);
    await sharp(px, { raw: { width: 300, height: 300, channels: 3 } })
      .png()
      .toFile(path.join(dir, 'item-1.png'));

    const own = make({ folder: dir, emptyImage: undefined, width: undefined, height: undefined });
    const rec = record(own);
    own.start();
    await ended(own);
    expect(new Set(rec.frames().map((f) => `${f.width}×${f.height}`))).toEqual(new Set(['300×300']));

    const wide = make({ folder: dir, emptyImage: undefined, width: 400, height: 300 });
    const rec2 = record(wide);
    wide.start();
    await ended(wide);
    const item = rec2.frames().find((f) => meanRgb(f.data, 400, 300, 0.5, 0.03)[0] > 200)!;
    expect(item).toBeDefined();
    // Top and bottom bands survive (fitted whole), and the photo sits between dark bars.
    expect(meanRgb(item.data, 400, 300, 0.5, 0.97)[0]).toBeGreaterThan(200);
    expect(meanRgb(item.data, 400, 300, 0.05, 0.5)[0]).toBeLessThan(10);
    expect(() => make({ folder: dir, width: 400, height: undefined })).toThrow(/width and height go together/);
  });

  it('shows each item sliding to rest for settleMs, then still', async () => {
    const src = make({ holdMs: 80, settleMs: 30 });
    const rec = record(src);
    src.start();
    await ended(src);
    const first = rec.frames().slice(3, 11); // item 0
    expect(first.slice(0, 3).every((f) => !f.data.equals(set.items[0]) && !f.data.equals(set.bench))).toBe(true);
    expect(first.slice(3).every((f) => f.data.equals(set.items[0]))).toBe(true);
    // Consecutive settling frames differ from each other (the item moves).
    expect(first[0].data.equals(first[1].data)).toBe(false);
  });

  it('uses a plain background when no empty-bench image is given', async () => {
    const src = make({ emptyImage: undefined, background: [10, 200, 30], loop: false });
    const rec = record(src);
    src.start();
    await waitFor('a frame', () => rec.frames().length > 0);
    expect([...rec.frames()[0].data.subarray(0, 3)]).toEqual([10, 200, 30]);
  });

  it('reports an unreadable image once by name, skips it and keeps playing (also when looping)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'replay-bad-'));
    const items = path.join(dir, 'items');
    mkdirSync(items);
    for (const [i, f] of set.itemPaths.entries())
      writeFileSync(path.join(items, `item-${i + 1}0.png`), readFileSync(f));
    writeFileSync(path.join(items, 'item-15.png'), 'not a png at all');
    const src = make({ folder: items, loop: true });
    const rec = record(src);
    src.start();
    // Two full loops: 3 good items each.
    await waitFor('two loops', () => rec.frames().filter((f) => f.data.equals(set.items[2])).length >= 10);
    await src.stop();
    const warnings = rec.events.flatMap((e) => (e.type === 'warning' ? [e.error.message] : []));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('item-15.png');
    expect(rec.types()).not.toContain('lost');
    const pattern = rec
      .frames()
      .map((f) => (f.data.equals(set.bench) ? '.' : String(set.items.findIndex((b) => b.equals(f.data)))));
    expect(pattern.join('')).toMatch(/^\.\.\.00000\.\.\.11111\.\.\.22222\.\.\.00000\.\.\.11111/);
  });

  it('scripted failure: lost once, no frames while lost, back, and the timeline resumes where it stopped', async () => {
    const src = make({ failure: { afterFrames: 10, forMs: 200 }, retryMs: 30 });
    const rec = record(src);
    src.start();
    await ended(src, 20_000);
    expect(rec.outline()).toEqual(['frame', 'lost', 'back', 'frame', 'end']);
    const lostAt = rec.types().indexOf('lost');
    expect(
      rec
        .types()
        .slice(0, lostAt)
        .filter((t) => t === 'frame'),
    ).toHaveLength(10);
    const lost = rec.events[lostAt];
    expect(lost.type === 'lost' && lost.error).toBeInstanceOf(Error);
    expect(lost.type === 'lost' && lost.error.message).toMatch(/scripted failure/);
    // Nothing was lost from the replay, only delayed.
    expect(rec.frames()).toHaveLength(27);
    const [a, b] = [rec.frames()[9], rec.frames()[10]];
    expect(b.capturedAt - a.capturedAt).toBeGreaterThanOrEqual(190);
    expect(b.seq).toBe(a.seq + 1);
  });

  it('nudge() retries at once instead of waiting for the retry timer', async () => {
    const src = make({ failure: { afterFrames: 5, forMs: 150 }, retryMs: 60_000 });
    const rec = record(src);
    src.start();
    await waitFor('lost', () => src.state === 'lost');
    await new Promise((r) => setTimeout(r, 300)); // outage over; next retry would be in a minute
    expect(src.state).toBe('lost');
    const t0 = Date.now();
    src.nudge();
    await waitFor('back', () => src.state === 'running', 2000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(rec.outline().slice(0, 3)).toEqual(['frame', 'lost', 'back']);
  });

  it('stop() while lost ends cleanly and promptly', async () => {
    const src = make({ failure: { afterFrames: 2, forMs: 60_000 }, retryMs: 60_000 });
    src.start();
    await waitFor('lost', () => src.state === 'lost');
    const t0 = Date.now();
    await src.stop();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(src.state).toBe('stopped');
  });

  it('rejects a missing folder, an empty folder and a missing empty-bench image with the path', () => {
    expect(() => make({ folder: '/nonexistent/replay' })).toThrow(/replay folder \/nonexistent\/replay/);
    const empty = mkdtempSync(path.join(tmpdir(), 'replay-empty-'));
    expect(() => make({ folder: empty })).toThrow(/has no images/);
    expect(() => make({ emptyImage: '/nonexistent/empty.png' })).toThrow(/\/nonexistent\/empty\.png/);
    expect(() => make({ holdMs: 0 })).toThrow(/holdMs/);
  });

  it('createFrameSource builds the configured kind and names a bad one', () => {
    const src = createFrameSource({
      kind: 'folder',
      folder: set.itemsDir,
      width: 64,
      height: 48,
      holdMs: 100,
      gapMs: 100,
    });
    expect(src).toBeInstanceOf(FolderSource);
    expect(() => createFrameSource({ kind: 'webcam' } as unknown as CaptureConfig)).toThrow(/capture.kind .*webcam/);
  });
});
