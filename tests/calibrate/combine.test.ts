import { describe, expect, it } from 'vitest';
import { cheapestPairMs, combinations, pairChoice } from '../../station/calibrate/tune/combine.ts';
import { combineScores, goodScale } from '../../station/verdict/combine.ts';
import type { CandidateFigures } from '../../station/calibrate/tune/search.ts';
import { pairEngines, type TuningSummary } from '../../station/calibrate/tune/productTuner.ts';
import { tuningLines } from '../../station/calibrate/report.ts';
import { defaultSpace, pairMemberBank, type Candidate } from '../../station/calibrate/tune/candidates.ts';

const member = (
  c: Partial<Candidate>,
  latencyMs: number,
  scores: CandidateFigures['scores'],
  separation = 0.5,
  knnMs = 0,
): CandidateFigures => ({
  candidate: { backbone: 'small-net', size: 224, aspect: 'square', augment: 'none', topShare: 0, ...c },
  separation,
  synthetic: separation,
  rejects: null,
  caught: 0,
  latencyMs,
  knnMs,
  measuredMs: latencyMs,
  latencyFrom: 'cost model',
  searched: true,
  byKind: {},
  scores,
});

describe('combining candidates', () => {
  it('puts each member on the scale of its own good items', () => {
    expect(goodScale([1, 2, 3, 4, 5])).toEqual({ centre: 3, spread: 1.4826 });
    // Scores 100× larger and shifted land on the same scale.
    const a = { scores: [3, 6], scale: goodScale([1, 2, 3, 4, 5]) };
    const b = { scores: [1300, 1600], scale: goodScale([1100, 1200, 1300, 1400, 1500]) };
    const [x, y] = combineScores([a, b]);
    expect(x).toBeCloseTo(0);
    expect(y).toBeCloseTo(3 / 1.4826);
  });

  it('falls back to the mean deviation, then to 1, when half the goods score alike', () => {
    expect(goodScale([2, 2, 2, 2, 6]).spread).toBeCloseTo(0.8);
    expect(goodScale([4, 4, 4])).toEqual({ centre: 4, spread: 1 });
    expect(() => goodScale([])).toThrow(/held-out good/);
  });

  it('refuses members that scored different items', () => {
    const s = goodScale([0, 1, 2]);
    expect(() =>
      combineScores([
        { scores: [1, 2], scale: s },
        { scores: [1], scale: s },
      ]),
    ).toThrow(/same items/);
  });

  it('pairs only different backbones within the budget, and two that each miss a defect catch both', () => {
    const good = [0, 1, 2, 3, 4, 5, 6, 7];
    // Each member sees one of two defects at good level and the other far out: alone 0.5 + ½·(7/8) each.
    const small = member({}, 20, { good, synthetic: [3.5, 30], rejects: [] });
    const big = member({ backbone: 'big-net' }, 30, { good, synthetic: [30, 3.5], rejects: [] });
    const smallLarge = member({ size: 448 }, 45, { good, synthetic: [30, 30], rejects: [] });
    const pairs = combinations([small, big, smallLarge], 60);
    expect(pairs.map((p) => p.label)).toEqual(['small-net 224 square max + big-net 224 square max']);
    expect(pairs[0].latencyMs).toBe(50);
    expect(pairs[0].separation).toBe(1);
    expect(combinations([small, big], 49)).toEqual([]);
  });

  it("charges a pair half of each member's kNN search: its members run on half banks", () => {
    const good = [0, 1, 2, 3];
    const a = member({}, 25, { good, synthetic: [9], rejects: [] }, 0.5, 14);
    const b = member({ backbone: 'big-net' }, 45, { good, synthetic: [9], rejects: [] }, 0.5, 12);
    // Full banks would cost 70 ms; half banks save (14 + 12) / 2.
    expect(combinations([a, b], 60).map((p) => p.latencyMs)).toEqual([57]);
    expect(combinations([a, b], 56)).toEqual([]);
    // What a report names when none fits: the cheapest pair on two backbones, within budget or not.
    expect(cheapestPairMs([a, b])).toBe(57);
    expect(cheapestPairMs([a, member({ size: 448 }, 30, { good, synthetic: [9], rejects: [] })])).toBeNull();
    expect(pairMemberBank(10_000)).toBe(5000);
    expect(pairMemberBank(400)).toBe(250);
    // What a product's pair runs on: each member its own input on half the bank it would have alone.
    const product = { inputMode: 'stretch' as const, coresetSize: undefined, roi: null };
    const { engine, partner } = pairEngines(
      [a, member({ backbone: 'big-net', size: 448, topShare: 0.1 }, 45, { good, synthetic: [9], rejects: [] })],
      product,
      1,
      10_000,
    );
    expect([engine.backbone, engine.coresetSize, engine.settings?.size]).toEqual(['small-net', 5000, 224]);
    // 448 searches a quarter of the bank alone (bankFor): half of that in a pair.
    expect([partner.engine.backbone, partner.engine.coresetSize, partner.topShare]).toEqual(['big-net', 1250, 0.1]);
  });

  it('weighs rejects double, as a single candidate does', () => {
    const good = [0, 1, 2, 3];
    const a = member({}, 10, { good, synthetic: [10], rejects: [1.5] });
    const b = member({ backbone: 'big-net' }, 10, { good, synthetic: [10], rejects: [1.5] });
    // synthetic 1, rejects 2/4 above → (1 + 2·0.5) / 3.
    expect(combinations([a, b], 60)[0].separation).toBeCloseTo(2 / 3);
  });
});

describe('choosing with pairs among the candidates', () => {
  const good = [0, 1, 2, 3];
  const opts = { budgetMs: 60, space: defaultSpace(['small-net', 'big-net']), nativeAspect: 1 };
  const small = member({}, 20, { good, synthetic: [2.5, 9], rejects: [] }, 0.7);
  const big = member({ backbone: 'big-net' }, 30, { good, synthetic: [9, 2.5], rejects: [] }, 0.7);
  const smallLarge = member({ size: 448 }, 45, { good, synthetic: [9, 9], rejects: [] }, 0.7);
  const bigTop = member({ backbone: 'big-net', topShare: 0.1 }, 30, { good, synthetic: [9, 9], rejects: [] }, 0.7);
  const withSeparations = (rows: CandidateFigures[], seps: number[]) =>
    rows.map((r, i) => ({ ...r, separation: seps[i] }));

  it("defaults to the two backbones' defaults combined", () => {
    const rows = withSeparations([small, big, smallLarge, bigTop], [0.7, 0.7, 0.72, 0.7]);
    const pair = pairChoice(rows, combinations(rows, 60), opts);
    expect(pair?.label).toBe('small-net 224 square max + big-net 224 square max');
    // Whatever order the search listed them in.
    const reversed = [...rows].reverse();
    expect(pairChoice(reversed, combinations(reversed, 60), opts)?.label).toBe(
      'big-net 224 square max + small-net 224 square max',
    );
  });

  it('a single that leads the default pair by 0.03 stands; so does another pair', () => {
    const rows = withSeparations([small, big, smallLarge, bigTop], [0.7, 0.7, 0.95, 0.7]);
    const at = (sep: number) => combinations(rows, 60).map((p) => ({ ...p, separation: sep }));
    expect(pairChoice(rows, at(0.9), opts)).toBeNull();
    expect(pairChoice(rows, at(0.93), opts)?.label).toBe('small-net 224 square max + big-net 224 square max');
    const three = [small, big, bigTop];
    const pairs = combinations(three, 60);
    const led = pairs.map((p) =>
      p.label.includes('top 10%') ? { ...p, separation: 0.99 } : { ...p, separation: 0.8 },
    );
    led.sort((x, y) => y.separation - x.separation);
    expect(pairChoice(three, led, opts)?.label).toBe('small-net 224 square max + big-net 224 square top 10%');
  });

  it('when the defaults do not fit together, the fitting pair nearest them; none when nothing fits', () => {
    const bigNative = member({ backbone: 'big-net', aspect: 'native' }, 22, { good, synthetic: [9, 2.5], rejects: [] });
    const bigLarge = member({ backbone: 'big-net', size: 448 }, 24, { good, synthetic: [9, 2.5], rejects: [] });
    const rows = withSeparations([small, big, bigLarge, bigNative], [0.7, 0.7, 0.7, 0.7]);
    const at45 = { ...opts, budgetMs: 45 };
    // small + big costs 50: the square larger input comes before the native shape, then the native one.
    expect(pairChoice(rows, combinations(rows, 45), at45)?.label).toBe(
      'small-net 224 square max + big-net 448 square max',
    );
    expect(pairChoice(rows, combinations(rows, 43), { ...opts, budgetMs: 43 })?.label).toBe(
      'small-net 224 square max + big-net 224 native max',
    );
    expect(pairChoice([small, big], combinations([small, big], 40), { ...opts, budgetMs: 40 })).toBeNull();
  });
});

describe("the report's pairs", () => {
  const summary: TuningSummary = {
    chosen: 'small-net 224 square max',
    candidate: { backbone: 'small-net', size: 224, aspect: 'square', augment: 'none', topShare: 0 },
    reason: 'fixed by the test',
    nativeAspect: 1,
    searchImages: 12,
    syntheticDefects: 24,
    seconds: 1,
    budgetMs: 60,
    itemRegionCover: null,
    candidates: [
      {
        label: 'small-net 224 square max',
        separation: 0.7,
        synthetic: 0.7,
        rejects: null,
        caught: 0.3,
        latencyMs: 28.3,
        measuredMs: 30,
        latencyFrom: 'cost model',
        withinBudget: true,
      },
    ],
    pairs: [],
  };

  it('says when no pair fits the budget, and what the cheapest would cost', () => {
    expect(tuningLines({ ...summary, cheapestPairMs: 61.24 }).join('\n')).toContain(
      'no pair of two backbones fits the 60 ms budget (the cheapest would take 61.2 ms)',
    );
    expect(tuningLines(summary).join('\n')).not.toContain('no pair');
  });
});
