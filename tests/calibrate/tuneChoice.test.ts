import { describe, expect, it } from 'vitest';
import {
  candidateLabel,
  candidateList,
  defaultSpace,
  engineKey,
  FEW_SHOTS,
  spaceFor,
  type Candidate,
  type SearchSpace,
} from '../../station/calibrate/tune/candidates.ts';
import { chooseCandidate } from '../../station/calibrate/tune/choose.ts';
import type { CandidateFigures } from '../../station/calibrate/tune/search.ts';

const space = defaultSpace(['small-net', 'big-net']);
const row = (c: Partial<Candidate>, separation: number, latencyMs: number): CandidateFigures => ({
  candidate: { backbone: 'small-net', size: 224, aspect: 'square', augment: 'none', topShare: 0, ...c },
  separation,
  synthetic: separation,
  rejects: null,
  caught: 0.5,
  latencyMs,
  knnMs: 0,
  measuredMs: latencyMs,
  latencyFrom: 'cost model',
  searched: true,
  byKind: {},
  scores: { good: [], synthetic: [], rejects: [] },
});

describe('candidate list', () => {
  it('crosses every dimension; a square product gets no native-aspect candidates', () => {
    expect(candidateList(space, {}, 1)).toHaveLength(2 * 2 * 1 * 1 * 2);
    const tall = candidateList(space, {}, 0.4);
    expect(tall).toHaveLength(2 * 2 * 2 * 1 * 2);
    expect(tall.filter((c) => c.aspect === 'native')).toHaveLength(8);
  });

  it('a pinned setting is not searched', () => {
    const pinned = candidateList(space, { backbone: 'big-net', topShare: 0.1 }, 0.4);
    expect(pinned.every((c) => c.backbone === 'big-net' && c.topShare === 0.1)).toBe(true);
    expect(pinned).toHaveLength(2 * 2);
    // A pinned native aspect stays even for a square product.
    expect(candidateList(space, { aspect: 'native' }, 1).every((c) => c.aspect === 'native')).toBe(true);
  });

  it('quarter-turn augmentation only where the input is square and the items are too', () => {
    const aug = { ...space, augments: ['none', 'turns'] as Candidate['augment'][] };
    expect(candidateList(aug, {}, 1).some((c) => c.augment === 'turns')).toBe(true);
    expect(
      candidateList(aug, {}, 0.4)
        .filter((c) => c.augment === 'turns')
        .every((c) => c.aspect === 'square'),
    ).toBe(true);
    expect(candidateList(aug, {}, 0.4).some((c) => c.augment === 'turns')).toBe(false);
  });

  it('levelled candidates beside the rest when the product tries them, without turned views; a pin keeps one pose', () => {
    const both: SearchSpace = { ...space, augments: ['none', 'turns'], poses: ['none', 'level'] };
    const list = candidateList(both, {}, 1);
    const level = list.filter((c) => c.pose === 'level');
    expect(level).toHaveLength(2 * 2 * 1 * 2); // backbones × sizes × square × poolings, augment none only
    expect(level.every((c) => c.augment === 'none')).toBe(true);
    expect(list.length - level.length).toBe(2 * 2 * 1 * 2 * 2);
    expect(new Set(list.map(engineKey)).size).toBe(2 * 2 * 3); // a levelled engine is an engine of its own
    expect(candidateLabel(level[0])).toMatch(/ square levelled /);
    expect(candidateList(both, { pose: 'level' }, 1).every((c) => c.pose === 'level')).toBe(true);
    expect(candidateList(both, { pose: 'none' }, 1).some((c) => c.pose)).toBe(false);
  });

  it('photographs smaller than an input size are not magnified to it, unless the size is pinned', () => {
    const sizesOf = (cs: Candidate[]) => [...new Set(cs.map((c) => c.size))];
    expect(sizesOf(candidateList(space, {}, 1, 330))).toEqual([224]);
    expect(sizesOf(candidateList(space, {}, 1, 512))).toEqual([224, 448]);
    // within the resampling tolerance (448 / 1.15 ≈ 390 px) the larger input is still tried
    expect(sizesOf(candidateList(space, {}, 1, 400))).toEqual([224, 448]);
    // tiny photographs still get the smallest input
    expect(sizesOf(candidateList(space, {}, 1, 100))).toEqual([224]);
    expect(sizesOf(candidateList(space, { size: 448 }, 1, 330))).toEqual([448]);
  });

  it('pooling variants share an engine', () => {
    const [a, b] = candidateList(space, { backbone: 'small-net', size: 224 }, 1);
    expect(a.topShare).not.toBe(b.topShare);
    expect(engineKey(a)).toBe(engineKey(b));
  });
});

describe('choosing a candidate', () => {
  it('takes the best separation within the latency budget and says why', () => {
    const rows = [row({}, 0.9, 20), row({ size: 448 }, 0.97, 50), row({ backbone: 'big-net', size: 448 }, 0.99, 120)];
    const { chosen, reason } = chooseCandidate(rows, { budgetMs: 60, space, nativeAspect: 1 });
    expect(chosen.candidate.size).toBe(448);
    expect(chosen.candidate.backbone).toBe('small-net');
    expect(reason).toMatch(/0\.970/);
    expect(reason).toMatch(/1 candidate\(s\) over the 60 ms budget/);
  });

  it('a tie to the third decimal goes to the cheaper input, whatever the order or measured latency', () => {
    const big = row({ size: 448, topShare: 0.1 }, 0.9504, 30),
      small = row({ size: 224, topShare: 0.1 }, 0.9501, 45);
    expect(chooseCandidate([big, small], { budgetMs: 60, space, nativeAspect: 1 }).chosen).toBe(small);
    expect(chooseCandidate([small, big], { budgetMs: 60, space, nativeAspect: 1 }).chosen).toBe(small);
    expect(chooseCandidate([big, small], { budgetMs: 60, space, nativeAspect: 1 }).reason).toMatch(
      /tied with .* and cheaper/,
    );
  });

  it('the default (first backbone, smallest square input, maximum) stays unless a candidate beats it by 0.03', () => {
    const rows = [
      row({ backbone: 'big-net' }, 0.62, 20),
      row({ size: 448 }, 0.645, 30),
      row({ topShare: 0.1 }, 0.6, 20),
      row({}, 0.62, 20),
      row({ aspect: 'native' }, 0.64, 10),
    ];
    const c = chooseCandidate(rows, { budgetMs: 60, space, nativeAspect: 0.5 });
    expect(c.chosen).toBe(rows[3]);
    expect(c.keptDefault).toBe(true);
    expect(c.reason).toMatch(
      /the default configuration: no candidate separated the synthetic defects from held-out good items better by 0\.03 or more \(default 0\.620, best small-net 448 square max 0\.645\)/,
    );
    // A clear lead replaces it.
    const lead = chooseCandidate([...rows, row({ size: 448, topShare: 0.1 }, 0.66, 30)], {
      budgetMs: 60,
      space,
      nativeAspect: 0.5,
    });
    expect(lead.keptDefault).toBe(false);
    expect(lead.chosen.candidate).toMatchObject({ size: 448, topShare: 0.1 });
  });

  it('on a surface the default pools the top share of the map; on an object the maximum', () => {
    // the evidence cannot tell them apart (within MIN_GAIN): the prior decides, and it follows the product
    const rows = [row({}, 0.589, 25), row({ topShare: 0.1 }, 0.582, 25), row({ backbone: 'big-net' }, 0.55, 45)];
    const surface = chooseCandidate(rows, { budgetMs: 60, space, nativeAspect: 1, surface: true });
    expect(surface.chosen).toBe(rows[1]);
    expect(surface.keptDefault).toBe(true);
    expect(surface.reason).toMatch(/the default configuration for a surface \(items fill the frame\)/);
    const object = chooseCandidate(rows, { budgetMs: 60, space, nativeAspect: 1, surface: false });
    expect(object.chosen).toBe(rows[0]);
    expect(object.reason).not.toMatch(/surface/);
    // clear evidence still overrides the prior on a surface
    const lead = [row({}, 0.75, 25), row({ topShare: 0.1 }, 0.6, 25)];
    expect(chooseCandidate(lead, { budgetMs: 60, space, nativeAspect: 1, surface: true }).chosen).toBe(lead[0]);
  });

  it('a few-shot product searches augmented reference sets, and its prior augments: turns, else mirrors', () => {
    expect(spaceFor(space, FEW_SHOTS).augments).toEqual(['none']);
    const few = spaceFor(space, 4);
    expect(few.augments).toEqual(['none', 'flips', 'turns', 'spin']);
    // square items get the square's symmetries; tall ones only the mirrors (a quarter turn would squeeze them)
    expect(new Set(candidateList(few, {}, 1).map((c) => c.augment))).toEqual(
      new Set(['none', 'flips', 'turns', 'spin']),
    );
    expect(new Set(candidateList(few, {}, 0.4).map((c) => c.augment))).toEqual(new Set(['none', 'flips']));
    // a pinned augmentation is left alone
    expect(spaceFor({ ...space, augments: ['jitter'] }, 4).augments).toEqual(['jitter']);

    const rows = [
      row({}, 0.8, 25),
      row({ augment: 'flips' }, 0.78, 25),
      row({ augment: 'turns' }, 0.79, 26),
      row({ augment: 'turns', topShare: 0.1 }, 0.785, 26),
      row({ augment: 'spin', topShare: 0.1 }, 0.79, 26),
    ];
    const c = chooseCandidate(rows, { budgetMs: 60, space: few, nativeAspect: 1, fewShot: true, surface: true });
    expect(c.chosen).toBe(rows[3]); // the spin's lead (0.005) is noise
    expect(c.reason).toMatch(/for a surface \(items fill the frame\), few good images/);
    const tall = chooseCandidate(rows.slice(0, 2), { budgetMs: 60, space: few, nativeAspect: 0.4, fewShot: true });
    expect(tall.chosen).toBe(rows[1]);
    // many shots: the prior does not augment
    expect(chooseCandidate(rows, { budgetMs: 60, space: few, nativeAspect: 1 }).chosen).toBe(rows[0]);
  });

  it('a budget nothing meets names the fastest candidate', () => {
    const rows = [row({}, 0.9, 80), row({ size: 448 }, 0.95, 140)];
    expect(() => chooseCandidate(rows, { budgetMs: 60, space, nativeAspect: 1 })).toThrow(
      /no configuration meets the latency budget of 60 ms; the fastest, small-net 224 square max, takes 80 ms/,
    );
  });
});
