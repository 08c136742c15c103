import { describe, expect, it } from 'vitest';
import { augmentedViews } from '../../station/vision/augment.ts';
import { fitGeometry, roiPixels } from '../../station/vision/preprocess.ts';
import { DEFAULT_SETTINGS, inputShape, validateSettings, withFeatureDefaults } from '../../station/vision/settings.ts';

describe('native-aspect input', () => {
  it('the long side is size and the short side follows the aspect, rounded to the stride', () => {
    expect(inputShape({ size: 448, aspect: 1 }, 32)).toEqual({ width: 448, height: 448 });
    expect(inputShape({ size: 448, aspect: 1 / 2.5 }, 32)).toEqual({ width: 192, height: 448 }); // 179.2 → 192
    expect(inputShape({ size: 768, aspect: 4 / 3 }, 16)).toEqual({ width: 768, height: 576 });
    expect(inputShape({ size: 224, aspect: 20 }, 32)).toEqual({ width: 224, height: 32 }); // never below one stride
  });

  it('stretch fills the rectangle; pad keeps the item shape inside it; crop cuts the rectangle shape', () => {
    const tall = { size: 448, aspect: 0.4, stride: 32 };
    const s = fitGeometry(200, 500, { ...tall, resize: 'stretch' });
    expect([s.inputWidth, s.inputHeight]).toEqual([192, 448]);
    expect(s.content).toEqual({ x: 0, y: 0, width: 192, height: 448 });
    const p = fitGeometry(200, 500, { ...tall, resize: 'pad' });
    expect(p.content.height).toBe(448);
    expect(p.content.width).toBe(179); // 200·448/500
    expect(p.content.x).toBe(6);
    const c = fitGeometry(400, 400, { ...tall, resize: 'crop' });
    expect(c.region.height).toBe(400);
    expect(c.region.width).toBe(Math.round((400 * 192) / 448));
    expect(c.region.x).toBe(Math.floor((400 - c.region.width) / 2));
  });

  it('a region of interest is all the input sees', () => {
    expect(roiPixels(1000, 500, { x: 0.25, y: 0.1, width: 0.5, height: 0.8 })).toEqual({
      x: 250,
      y: 50,
      width: 500,
      height: 400,
    });
    const g = fitGeometry(1000, 500, {
      size: 224,
      resize: 'stretch',
      roi: { x: 0.25, y: 0.1, width: 0.5, height: 0.8 },
    });
    expect(g.region).toEqual({ x: 250, y: 50, width: 500, height: 400 });
    // A region reaching past the frame is clipped to it.
    expect(roiPixels(100, 100, { x: 0.9, y: 0.9, width: 0.5, height: 0.5 })).toEqual({
      x: 90,
      y: 90,
      width: 10,
      height: 10,
    });
  });

  it('settings refuse a bad aspect, an ROI outside the frame and an input beyond the largest size', () => {
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, aspect: 0 }, 32)).toThrow(/aspect 0/);
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, roi: { x: 0.5, y: 0, width: 0.6, height: 1 } }, 32)).toThrow(
      /roi/,
    );
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, size: 1024 }, 32)).toThrow(/at most/);
    expect(() =>
      validateSettings(
        { ...DEFAULT_SETTINGS, size: 768, aspect: 0.4, roi: { x: 0.1, y: 0, width: 0.8, height: 1 } },
        32,
      ),
    ).not.toThrow();
  });

  it('a reference set from before these settings reads as square and whole-frame', () => {
    const { aspect: _a, roi: _r, ...old } = DEFAULT_SETTINGS;
    expect(withFeatureDefaults(old)).toMatchObject({ aspect: 1, roi: null, size: 224 });
    expect(withFeatureDefaults({ ...old, aspect: 2 }).aspect).toBe(2);
  });
});

describe('reference-set augmentation', () => {
  const img = { name: 'a', width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => i) };
  const at = (d: { width: number; data: Uint8Array }, x: number, y: number) => d.data[(y * d.width + x) * 3];

  it('flips keep the frame shape and move pixels where a mirror would', () => {
    const v = augmentedViews(img, 'flips');
    expect(v.map((x) => x.name)).toEqual(['a#mirror', 'a#flip', 'a#turn180']);
    for (const x of v) expect([x.width, x.height]).toEqual([3, 2]);
    expect(at(v[0], 0, 0)).toBe(at(img, 2, 0));
    expect(at(v[1], 0, 0)).toBe(at(img, 0, 1));
    expect(at(v[2], 0, 0)).toBe(at(img, 2, 1));
  });

  it('turns give all seven other symmetries, quarter turns swap the sides, and none repeats', () => {
    const v = augmentedViews(img, 'turns');
    expect(v).toHaveLength(7);
    expect(v.filter((x) => x.width === 2 && x.height === 3)).toHaveLength(4);
    const turn90 = v.find((x) => x.name === 'a#turn90')!;
    // A clockwise quarter turn: the bottom-left pixel goes to the top-left.
    expect(at(turn90, 0, 0)).toBe(at(img, 0, 1));
    const keys = new Set([img, ...v].map((x) => `${x.width}:${Array.from(x.data).join(',')}`));
    expect(keys.size).toBe(8);
    expect(augmentedViews(img, 'none')).toEqual([]);
  });

  it('jitter turns and shifts the item a little, keeping the frame', () => {
    // A bright 8×8 square centred in a dark 64×64 frame.
    const w = 64;
    const data = new Uint8Array(w * w * 3);
    for (let y = 28; y < 36; y++) for (let x = 28; x < 36; x++) data.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const views = augmentedViews({ name: 'sq', width: w, height: w, data }, 'jitter');
    expect(views.map((v) => v.name)).toEqual(['sq#turn+8', 'sq#turn-8', 'sq#shift+4', 'sq#shift-4']);
    const centroid = (v: { data: Uint8Array }) => {
      let n = 0,
        sx = 0,
        sy = 0;
      for (let p = 0; p < w * w; p++)
        if (v.data[p * 3] > 127) {
          n++;
          sx += p % w;
          sy += Math.floor(p / w);
        }
      return [sx / n, sy / n, n];
    };
    const [tx, ty, tn] = centroid(views[0]);
    expect(Math.abs(tx - 31.5) + Math.abs(ty - 31.5)).toBeLessThan(0.6); // a turn about the centre keeps it in place
    expect(Math.abs(tn - 64)).toBeLessThan(10);
    expect(views[0].data).not.toEqual(data); // …but its corners moved
    const [sx, sy] = centroid(views[2]);
    expect([sx - 31.5, sy - 31.5].map((d) => Math.round(d))).toEqual([3, 3]); // 4 % of 64 px ≈ 2.6 px
  });

  it('spin adds the eight symmetries of the item turned 45°: a bar lying at 45° stands upright in some view', () => {
    // A bright diagonal bar (x = y, 3 px wide) through the centre of a dark 65×65 frame.
    const w = 65;
    const data = new Uint8Array(w * w * 3);
    for (let y = 8; y < w - 8; y++)
      for (let x = y - 1; x <= y + 1; x++) data.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const img = { name: 'bar', width: w, height: w, data };
    const views = augmentedViews(img, 'spin');
    expect(views).toHaveLength(15);
    expect(views.slice(0, 7).map((v) => v.name)).toEqual(augmentedViews(img, 'turns').map((v) => v.name));
    expect(views.slice(7).map((v) => v.name)).toEqual([
      'bar#turn45',
      ...augmentedViews({ ...img, name: 'bar#turn45' }, 'turns').map((v) => v.name),
    ]);
    // Bright pixels of the centre column: the bar turned upright fills it, the diagonal crosses it at 3 px.
    const column = (v: { data: Uint8Array }) => {
      let n = 0;
      for (let y = 0; y < w; y++) if (v.data[(y * w + 32) * 3] > 127) n++;
      return n;
    };
    expect(column(img)).toBeLessThanOrEqual(3);
    const upright = Math.max(...views.slice(7).map(column));
    expect(upright).toBeGreaterThan(50);
    expect(Math.max(...views.slice(0, 7).map(column))).toBeLessThanOrEqual(3); // quarter turns keep it diagonal
  });
});
