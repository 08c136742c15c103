/**
 * Levelling: an item's pose from its photo (centre, long axis, which end first), the photo turned to it, and the
 * anomaly map turned back onto the photo. Drawn items: a "screw" (a bar with a round head) on a grey bench.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../station/vision/engine.ts';
import { decodeReferenceSet, encodeReferenceSet } from '../../station/vision/referenceSet.ts';
import { useTestBackbone } from './backbone.ts';
import { drawScrew } from './screws.ts';
import { poseFor } from '../../station/calibrate/tune/index.ts';
import { regionCover } from '../../station/vision/itemRegion.ts';
import { estimateItemMask } from '../../station/vision/itemMask.ts';
import {
  itemPose,
  itemsLieAtAnyAngle,
  levelImage,
  levelMask,
  mapToPhoto,
  photoPose,
  type Pose,
} from '../../station/vision/pose.ts';
import type { DecodedImage } from '../../station/vision/types.ts';

const W = 240,
  H = 200;

/** A dark screw (head radius 18, shank 130 long and 12 thick) centred at (cx, cy), pointing at `angle`, on grey. */
const screwPhoto = (angle: number, cx = 120, cy = 100, seed = 1): DecodedImage =>
  drawScrew({ width: W, height: H, angle, cx, cy, seed, head: 18, reach: 55, tip: 75, half: 6 });

const angleGap = (a: number, b: number) => Math.abs(Math.atan2(Math.sin(a - b), Math.cos(a - b)));

/** Mean absolute difference of two images' grey values. */
function meanDiff(a: DecodedImage, b: DecodedImage): number {
  let d = 0;
  for (let i = 0; i < a.data.length; i += 3) d += Math.abs(a.data[i] - b.data[i]);
  return d / (a.data.length / 3);
}

describe('an item’s pose', () => {
  it('finds the centre and the long axis, pointing away from the heavier end, at any angle', () => {
    for (const deg of [0, 37, 90, 161, 215, 300]) {
      const angle = (deg * Math.PI) / 180;
      const p = photoPose(screwPhoto(angle));
      expect(p.elongation).toBeGreaterThan(2);
      expect(angleGap(p.angle, angle)).toBeLessThan((4 * Math.PI) / 180);
      // the centre of mass lies on the axis, between the head and the shank's middle
      expect(Math.hypot(p.cx - 120, p.cy - 100)).toBeLessThan(40);
    }
  });

  it('levels the same item photographed at two angles into nearly the same picture, head on the left', () => {
    const a = levelImage(screwPhoto(0.4, 110, 95, 2), photoPose(screwPhoto(0.4, 110, 95, 2)));
    const b = levelImage(screwPhoto(3.6, 130, 105, 3), photoPose(screwPhoto(3.6, 130, 105, 3)));
    const unlevelled = meanDiff(screwPhoto(0.4, 110, 95, 2), screwPhoto(3.6, 130, 105, 3));
    expect(meanDiff(a, b)).toBeLessThan(unlevelled / 4);
    // the head (the widest part) sits left of centre: more item pixels in the left half's middle rows
    const mask = estimateItemMask(a);
    let left = 0,
      right = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (mask[y * W + x]) x < W / 2 ? (left += 1) : (right += 1);
    expect(left).toBeGreaterThan(right);
  });

  it('does not turn a round item, and says so by its elongation', () => {
    const mask = new Uint8Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) mask[y * W + x] = (x - 100) ** 2 + (y - 90) ** 2 < 900 ? 1 : 0;
    const p = itemPose(mask, W, H)!;
    expect(p.angle).toBe(0);
    expect(p.elongation).toBeLessThan(1.1);
    expect(p.cx).toBeCloseTo(100.5, 0);
    expect(itemPose(new Uint8Array(W * H), W, H)).toBeNull();
  });

  it('tells long items lying at any angle from items photographed one way or round ones', () => {
    const long = (angle: number): Pose => ({ cx: 0, cy: 0, angle, elongation: 4 });
    expect(itemsLieAtAnyAngle([0.1, 1.2, 2.0, 2.9, 4.4].map(long))).toBe(true);
    expect(itemsLieAtAnyAngle([1.55, 1.6, 1.57, 1.58 + Math.PI].map(long))).toBe(false); // upright, either end up
    expect(itemsLieAtAnyAngle([0.1, 1.2, 2.0].map((a) => ({ ...long(a), elongation: 1.3 })))).toBe(false);
  });
});

describe('which products are levelled', () => {
  const photos = (angles: number[]) => angles.map((a, i) => screwPhoto(a, 118 + i, 98 + i, 60 + i));
  const masks = (ps: DecodedImage[]) => ps.map((p) => estimateItemMask(p));
  const anyAngle = photos([0.3, 1.4, 2.2, 3.3, 4.4, 5.5]);
  const upright = photos([1.5, 1.6, 1.55, 1.58, 1.52, 1.62]);

  it('few good images of long items at any angle: levelled, the region hugging the levelled item', () => {
    const { poses, region } = poseFor(anyAngle, masks(anyAngle), {}, true);
    expect(poses).toEqual(['level']);
    const plain = poseFor(anyAngle, masks(anyAngle), { pose: 'none' }, true);
    expect(plain.poses).toEqual(['none']);
    expect(regionCover(region!)).toBeLessThan(regionCover(plain.region!) * 0.7);
  });

  it('items photographed one way, many good images (or a surface) are left as taken, unless pinned', () => {
    expect(poseFor(upright, masks(upright), {}, true).poses).toEqual(['none']);
    expect(poseFor(anyAngle, masks(anyAngle), {}, false).poses).toEqual(['none']);
    expect(poseFor(upright, masks(upright), { pose: 'level' }, false).poses).toEqual(['level']);
  });
});

describe('the map turned back onto the photo', () => {
  it('lands where the item is: a map equal to the levelled item mask comes back as the item mask', () => {
    const photo = screwPhoto(2.3, 125, 98, 4);
    const pose = photoPose(photo);
    const mask = estimateItemMask(photo);
    const levelled = levelMask(mask, W, H, pose);
    const map = { width: W, height: H, data: Float32Array.from(levelled), region: { x: 0, y: 0, width: W, height: H } };
    const back = mapToPhoto(map, pose, W, H);
    expect(back.region).toEqual({ x: 0, y: 0, width: W, height: H });
    let both = 0,
      either = 0;
    for (let p = 0; p < W * H; p++) {
      const b = back.data[p] > 0.5 ? 1 : 0;
      both += b & mask[p];
      either += b | mask[p];
    }
    expect(both / either).toBeGreaterThan(0.9);
  });

  it('keeps the map’s own scale and region: a half-size map over a crop comes back at half size', () => {
    const pose: Pose = { cx: W / 2, cy: H / 2, angle: 0, elongation: 3 };
    const map = {
      width: 60,
      height: 50,
      data: new Float32Array(60 * 50).fill(2),
      region: { x: 60, y: 50, width: 120, height: 100 },
    };
    const back = mapToPhoto(map, pose, W, H);
    expect([back.width, back.height]).toEqual([W / 2, H / 2]);
    expect(back.data[0]).toBe(2); // uncovered: the map's minimum
    expect(back.data[(H / 4) * back.width + W / 4]).toBe(2);
  });
});

describe('a levelled engine (real backbone)', () => {
  const backbone = useTestBackbone();

  it('judges an item at any angle against items at other angles, maps the evidence onto the photo, and keeps its pose', async () => {
    const level = createEngine(backbone(), { threads: 1, pose: 'level' });
    const plain = createEngine(backbone(), { threads: 1 });
    const angles = [0.2, 1.3, 2.2, 3.1, 4.0, 5.2];
    const goods = angles.map((a, i) => screwPhoto(a, 118 + i, 98 + i, 10 + i));
    const names = goods.map((g) => g.name);
    const setOf = async (e: typeof level) =>
      e.buildReferenceSet(await Promise.all(goods.map(async (g) => e.embed(await e.preprocess(g)))), names, {
        coresetSize: 2000,
        seed: 0,
      });
    const [levelSet, plainSet] = [await setOf(level), await setOf(plain)];
    // a new good item at an angle no reference lies at
    const probe = screwPhoto(0.75, 121, 102, 40);
    const levelled = await level.inspectDecoded(probe, levelSet);
    const asTaken = await plain.inspectDecoded(probe, plainSet);
    expect(levelled.score).toBeLessThan(asTaken.score);
    expect(levelled.anomalyMap.region).toEqual({ x: 0, y: 0, width: W, height: H });
    expect(levelled.embedding.geometry.pose?.elongation).toBeGreaterThan(2);
    // the pose is a feature setting: the file keeps it, and a set levelled is refused by an engine that is not
    const back = decodeReferenceSet(encodeReferenceSet(levelSet), { expectedModel: backbone().manifest });
    expect(back.settings.pose).toBe('level');
    expect((await level.inspectDecoded(probe, back)).score).toBe(levelled.score);
    await expect(plain.inspectDecoded(probe, levelSet)).rejects.toThrow(/pose/);
    await level.release();
    await plain.release();
  }, 120_000);
});
