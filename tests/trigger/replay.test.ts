// Folder replay → presence trigger, on real timers: one inspection per item, none missed,
// none doubled, including hand-placed items that slide before settling, camera loss midway,
// and a region of interest.
import { afterEach, describe, expect, it } from 'vitest';
import { FolderSource, type FolderSourceOptions } from '../../station/capture/folderSource.ts';
import type { Frame } from '../../station/capture/types.ts';
import { PresenceTrigger, type PresenceConfig } from '../../station/trigger/presence.ts';
import { ended, record } from '../capture/record.ts';
import { itemShape, makeReplaySet, type ReplaySet } from '../capture/replaySet.ts';

const TIMING = { fps: 30, holdMs: 300, gapMs: 300, settleMs: 100 } as const;
const TRIGGER: Partial<PresenceConfig> = { steadyMs: 100, emptyMs: 100 };

const sources: FolderSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

async function run(set: ReplaySet, source: Partial<FolderSourceOptions> = {}, trigger: Partial<PresenceConfig> = {}) {
  const src = new FolderSource({
    folder: set.itemsDir,
    emptyImage: set.emptyPath,
    width: set.width,
    height: set.height,
    ...TIMING,
    ...source,
  });
  sources.push(src);
  const t = new PresenceTrigger({ ...TRIGGER, ...trigger });
  t.attach(src);
  const inspected: Frame[] = [];
  t.on('inspect', (frame) => {
    inspected.push(frame);
    // The pipeline takes a while to inspect; the trigger must not fire again meanwhile.
    setTimeout(() => t.inspectionDone(), 50);
  });
  const rec = record(src);
  src.start();
  await ended(src, 30_000);
  return { inspected, rec, trigger: t };
}

/** Which replay item a frame shows (-1: none of them exactly). */
const whichItem = (set: ReplaySet, f: Frame) => set.items.findIndex((b) => b.equals(f.data));

describe('folder replay through the presence trigger', () => {
  it('gives exactly one inspection per item, each on the settled item', async () => {
    const set = await makeReplaySet({ shapes: [0, 1, 2, 3, 4, 5].map((i) => itemShape(i)) });
    const { inspected, rec } = await run(set);
    expect(inspected.map((f) => whichItem(set, f))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rec.types()).not.toContain('lost');
  });

  it('camera lost midway: reported, nothing inspected from the gap, items after recovery inspected once', async () => {
    const set = await makeReplaySet({ shapes: [0, 1, 2, 3, 4].map((i) => itemShape(i)), seed: 7 });
    // Timeline at 30 fps: gap 9 frames, then item i on frames 9+21i .. 20+21i (the first 3 settling).
    // Outage 1 cuts item 2 (51..62) while it settles: it must be inspected after recovery.
    // Outage 2 cuts item 3 (72..83) after it was inspected (~frame 79): it must not be inspected again.
    const { inspected, rec } = await run(set, {
      holdMs: 400,
      failure: [
        { afterFrames: 52, forMs: 250 },
        { afterFrames: 81, forMs: 250 },
      ],
      retryMs: 40,
    });
    expect(rec.outline()).toEqual(['frame', 'lost', 'back', 'frame', 'lost', 'back', 'frame', 'end']);
    expect(inspected.map((f) => whichItem(set, f))).toEqual([0, 1, 2, 3, 4]);
    // Every inspected frame is a real frame the source emitted whole.
    const emitted = new Set(rec.frames());
    expect(inspected.every((f) => emitted.has(f) && f.data.length === set.width * set.height * 3)).toBe(true);
    // Item 2 was inspected only from frames after the first recovery.
    const backAt = rec.events.findIndex((e) => e.type === 'back');
    const firstAfterBack = rec.events.slice(backAt).find((e) => e.type === 'frame');
    expect(firstAfterBack?.type === 'frame' && inspected[2].seq >= firstAfterBack.frame.seq).toBe(true);
  });

  it('region of interest: items outside it are ignored', async () => {
    const set = await makeReplaySet({
      shapes: [
        itemShape(0, { cx: 0.7, cy: 0.5 }),
        itemShape(1, { cx: 0.17, cy: 0.5 }), // outside the ROI
        itemShape(2, { cx: 0.75, cy: 0.6 }),
        itemShape(3, { cx: 0.2, cy: 0.3 }), // outside the ROI
      ],
      seed: 3,
    });
    const roi = { x: 0.45, y: 0, width: 0.55, height: 1 };
    const { inspected } = await run(set, {}, { roi });
    expect(inspected.map((f) => whichItem(set, f))).toEqual([0, 2]);
    // Same replay without the ROI sees all four (so the ROI is what filtered them).
    const all = await run(set);
    expect(all.inspected.map((f) => whichItem(set, f))).toEqual([0, 1, 2, 3]);
  });
});
