import { describe, expect, it } from 'vitest';
import { heldOutUnderModel } from '../../station/calibrate/scoreModel.ts';
import { MAX_TOP_SHARE, poolScores } from '../../station/verdict/pool.ts';
import { judgeInspection } from '../../station/verdict/scoreModel.ts';

describe('poolScores', () => {
  it('share 0 is the maximum; a share is the mean of the ceil(share·n) highest cells', () => {
    const v = Float32Array.from([1, 9, 3, 7, 5, 2, 8, 4, 6, 0]);
    expect(poolScores(v)).toBe(9);
    expect(poolScores(v, 0.2)).toBe((9 + 8) / 2);
    expect(poolScores(v, 0.25)).toBe((9 + 8 + 7) / 3); // ceil(2.5) = 3
    expect(poolScores(v, 0.01)).toBe(9); // never fewer than one cell
    expect(poolScores(v, MAX_TOP_SHARE)).toBe((9 + 8 + 7 + 6 + 5) / 5);
  });
  it('padding (-Infinity) and NaN never count, and nothing finite scores 0', () => {
    expect(poolScores([-Infinity, 4, NaN, 2], 0.5)).toBe(4); // ceil(0.5·2) = 1 of the 2 finite cells
    expect(poolScores([-Infinity, 4, NaN, 2], 1 / 2)).not.toBe(3);
    expect(poolScores([-Infinity, NaN], 0.1)).toBe(0);
  });
  it('refuses a share outside [0, MAX_TOP_SHARE]', () => {
    expect(() => poolScores([1], -0.1)).toThrow(/top share must be between 0 and 0.5/);
    expect(() => poolScores([1], 0.6)).toThrow(/top share/);
    expect(() => poolScores([1], NaN)).toThrow(/top share/);
  });
});

describe("the 'top' score model", () => {
  // 10 cells: a single noisy spike vs a defect spread over a fifth of the item.
  const spike = Float32Array.from([9, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  const spread = Float32Array.from([6, 6, 1, 1, 1, 1, 1, 1, 1, 1]);
  const band = { reviewAt: 4, failAt: 5.5, scoreModel: { kind: 'top' as const, topShare: 0.2 } };

  it('judges the mean of the most deviating share: a spread defect outranks a lone spike', () => {
    expect(judgeInspection({ score: 9, patchScores: spike }, band)).toEqual({ verdict: 'review', score: 5 });
    expect(judgeInspection({ score: 6, patchScores: spread }, band)).toEqual({ verdict: 'fail', score: 6 });
    // the raw model on the same items ranks them the other way round
    expect(judgeInspection({ score: 9 }, { reviewAt: 4, failAt: 8 }).verdict).toBe('fail');
  });
  it('padding cells never count, and no patch scores means unjudged (never a pass)', () => {
    const mask = Uint8Array.from([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(judgeInspection({ score: 9, patchScores: spike, contentMask: mask }, band).score).toBe(1); // ceil(0.2·9) = 2 cells of 1
    const r = judgeInspection({ score: 9 }, band);
    expect(r.verdict).toBe('unjudged');
    expect(r.error).toMatch(/no patch scores/);
  });
  it('calibration bands rest on held-out scores pooled the same way', () => {
    const held = [spike, spread, Float32Array.from([2, 2, 2, 2, 2, 2, 2, 2, 2, 2])].map((p) => ({
      score: Math.max(...p),
      patchScores: p,
    }));
    const grid = { gridW: 5, gridH: 2 };
    const top = heldOutUnderModel({ placedConsistently: false, regions: [], scoreTopShare: 0.2 }, held, grid);
    expect(top.model).toEqual({ kind: 'top', topShare: 0.2 });
    expect(top.scores).toEqual([5, 6, 2]);
    expect(heldOutUnderModel({ placedConsistently: false, regions: [], scoreTopShare: 0 }, held, grid)).toEqual({
      model: { kind: 'raw' },
      scores: [9, 6, 2],
    });
    // per-location tolerance keeps the share: its stored model carries it
    const region = heldOutUnderModel({ placedConsistently: true, regions: [], scoreTopShare: 0.2 }, held, grid);
    expect(region.model).toMatchObject({ kind: 'region', topShare: 0.2 });
    const regionMax = heldOutUnderModel({ placedConsistently: true, regions: [], scoreTopShare: 0 }, held, grid);
    expect(region.scores).not.toEqual(regionMax.scores);
  });
});

describe('a pair judged combined', () => {
  const members = [
    { topShare: 0, centre: 2, spread: 0.5 },
    { topShare: 0.5, centre: 100, spread: 20 },
  ];
  const band = { reviewAt: 1, failAt: 3, scoreModel: { kind: 'pair' as const, members } };
  it("is the mean of each member's pooled score in good-spreads above its good median", () => {
    // Member 1 pools by the engine's score: (3 - 2) / 0.5 = 2. Member 2 by its top half: (150 - 100) / 20 = 2.5.
    const item = {
      score: 0,
      members: [
        { score: 3, patchScores: Float32Array.from([9, 9]) },
        { score: 0, patchScores: Float32Array.from([160, 140, 20, 10]) },
      ],
    };
    expect(judgeInspection(item, band)).toEqual({ verdict: 'review', score: 2.25 });
    // A good item below both medians passes.
    const calm = { score: 0, members: [{ score: 1.8 }, { score: 0, patchScores: Float32Array.from([90, 80]) }] };
    expect(judgeInspection(calm, band).verdict).toBe('pass');
  });
  it('an inspection without both members is unjudged, never a pass', () => {
    const r = judgeInspection({ score: 0, members: [{ score: 1 }] }, band);
    expect(r.verdict).toBe('unjudged');
    expect(r.error).toMatch(/judges 2 configurations combined, but the inspection has 1: recalibrate/);
    expect(judgeInspection({ score: 0 }, band).verdict).toBe('unjudged');
  });
});
