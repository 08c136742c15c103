import { describe, expect, it } from 'vitest';
import { heldOutScores, planFolds, LEAVE_ONE_OUT_MAX } from '../../station/calibrate/kfold.ts';
import { heldOutItemScores, heldOutWithout, MAX_PRUNED_SHARE } from '../../station/calibrate/heldOut.ts';
import { fakeEngine, fakePatches, type FakeEmb, type FakeSet } from './fakeEngine.ts';

describe('fold plan', () => {
  it('is balanced, seeded, and leave-one-out when small', () => {
    const p = planFolds(103, { seed: 4 });
    expect(p.folds).toBe(5);
    const sizes = [0, 0, 0, 0, 0];
    p.assignment.forEach((f) => {
      sizes[f]++;
    });
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(planFolds(103, { seed: 4 })).toEqual(p);
    expect(planFolds(103, { seed: 5 }).assignment).not.toEqual(p.assignment);
    expect(planFolds(LEAVE_ONE_OUT_MAX).folds).toBe(LEAVE_ONE_OUT_MAX);
    expect(() => planFolds(1)).toThrow(/at least 2 good images/);
  });
});

describe('held-out scoring never scores an image against itself', () => {
  const engine = fakeEngine();
  // Distinct random images: any image scored against a bank holding its own patches would get exactly 0.
  const embs: FakeEmb[] = Array.from({ length: 23 }, (_, i) => ({ patches: fakePatches(i + 1), name: `g${i}` }));
  const names = embs.map((e) => e.name);

  for (const folds of [undefined, 23, 3]) {
    it(`folds = ${folds ?? 'default'}: every held-out score is above zero and no bank holds its scored image`, async () => {
      const r = await heldOutItemScores(engine, embs, names, { seed: 1, folds });
      expect(r.scores).toHaveLength(23);
      for (const s of r.scores) expect(s.score).toBeGreaterThan(0.01);
      // The bank of the fold each image was scored in does not contain it.
      const direct = await heldOutScores<number[], number>(
        23,
        { build: (idx) => idx, score: (i, bank) => (bank.includes(i) ? 1 : 0) },
        { seed: 1, folds },
      );
      expect(direct.results.every((v) => v === 0)).toBe(true);
    });
  }

  it('the check above would catch a leaky scorer (self in the bank → score 0)', async () => {
    const set = await engine.build(embs, names, { seed: 1 });
    const leaky = await Promise.all(embs.map((e) => engine.score(e, set)));
    expect(leaky.every((s) => s.score === 0)).toBe(true);
  });

  it('an exact duplicate in another fold still scores 0, so dedupe by content must run first', async () => {
    const dup = [...embs, { patches: embs[0].patches, name: 'dup' }];
    const r = await heldOutItemScores(
      engine,
      dup,
      dup.map((e) => e.name),
      { seed: 1, folds: 24 },
    );
    expect(r.scores[0].score).toBe(0); // its twin is in the bank: this is why scanFolder dedupes by sha256
    expect(r.scores[5].score).toBeGreaterThan(0);
  });
});

describe('fold banks built ahead', () => {
  it('give the same scores whatever order their builds finish in', async () => {
    const base = fakeEngine();
    const embs: FakeEmb[] = Array.from({ length: 17 }, (_, i) => ({ patches: fakePatches(i + 1), name: `g${i}` }));
    const names = embs.map((e) => e.name);
    let inFlight = 0;
    let most = 0;
    // Later folds' builds finish first: a build ahead must not take an earlier fold's place.
    const slow = {
      ...base,
      buildsAtOnce: 3,
      build: async (e: FakeEmb[], n: string[], o: { seed: number }) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 40 - 2 * e.length));
        inFlight--;
        return base.build(e, n, o);
      },
    };
    const one = await heldOutItemScores(base, embs, names, { seed: 2, folds: 5 });
    const ahead = await heldOutItemScores(slow, embs, names, { seed: 2, folds: 5 });
    expect(ahead.scores.map((s) => s.score)).toEqual(one.scores.map((s) => s.score));
    expect(ahead.bankMembers).toEqual(one.bankMembers);
    expect(most).toBe(3);
  });

  it('fail the scoring when one of them fails, even one built ahead', async () => {
    const base = fakeEngine();
    const embs: FakeEmb[] = Array.from({ length: 10 }, (_, i) => ({ patches: fakePatches(i + 1), name: `g${i}` }));
    const failing = {
      ...base,
      buildsAtOnce: 2,
      build: async (e: FakeEmb[], n: string[], o: { seed: number }) => {
        if (o.seed === 2 + 7919 * 2) throw new Error('fold 1 failed');
        await new Promise((r) => setTimeout(r, 20));
        return base.build(e, n, o);
      },
    };
    await expect(
      heldOutItemScores(
        failing,
        embs,
        embs.map((e) => e.name),
        { seed: 2, folds: 4 },
      ),
    ).rejects.toThrow(/fold 1 failed/);
  });
});

describe('fold banks', () => {
  it('keep the final bank size: fewer k-center centres would cover good variation more coarsely', async () => {
    const base = fakeEngine();
    const sizes: (number | undefined)[] = [];
    const engine = {
      ...base,
      build: (e: FakeEmb[], n: string[], o: { seed: number; coresetSize?: number }) => {
        sizes.push(o.coresetSize);
        return base.build(e, n, o);
      },
    };
    const embs: FakeEmb[] = Array.from({ length: 20 }, (_, i) => ({ patches: fakePatches(i + 1), name: `g${i}` }));
    await heldOutItemScores(
      engine,
      embs,
      embs.map((e) => e.name),
      { seed: 1, folds: 4, coresetSize: 500 },
    );
    expect(sizes).toEqual([500, 500, 500, 500]);
  });
});

describe('held-out scores without some items', () => {
  const embs: FakeEmb[] = Array.from({ length: 21 }, (_, i) => ({ patches: fakePatches(i + 1), name: `g${i}` }));
  const names = embs.map((e) => e.name);
  const leave = new Set([2, 9, 17]);
  const stay = embs.map((_, i) => i).filter((i) => !leave.has(i));
  const opts = { seed: 1, folds: 4 };

  /** The fake engine, counting its builds and scorings, its `without` claiming the share `share` (undefined: its own). */
  function counting(share?: number) {
    const base = fakeEngine();
    const n = { builds: 0, scores: 0 };
    const engine: typeof base = {
      ...base,
      build: (e, ns, o) => {
        n.builds++;
        return base.build(e, ns, o);
      },
      score: (e, set) => {
        n.scores++;
        return base.score(e, set);
      },
      without: (set, ns) => ({ ...base.without(set, ns), ...(share === undefined ? {} : { share }) }),
    };
    return { engine, n };
  }

  // The fake bank is every patch of its images, so a bank without an image's patches is exactly the others' bank,
  // taken out or chosen again: either way the result must be what scoring against the others' bank gives.
  for (const share of [0.01, 0.5]) {
    it(`drops them, and scores the others against fold banks without them (${share <= MAX_PRUNED_SHARE ? 'taken out' : 'chosen again'})`, async () => {
      const { engine, n } = counting(share);
      const held = await heldOutItemScores(engine, embs, names, opts);
      n.builds = 0;
      n.scores = 0;
      const r = await heldOutWithout(engine, held, embs, names, leave, opts);
      expect(r.scores).toHaveLength(stay.length);
      expect(r.assignment).toEqual(stay.map((i) => held.assignment[i]));
      for (const [k, i] of stay.entries()) {
        const f = held.assignment[i];
        const members = held.bankMembers[f].filter((m) => !leave.has(m));
        expect(r.bankMembers[f].map((m) => stay[m])).toEqual(members);
        const others = fakeEngine().build(
          members.map((m) => embs[m]),
          members.map((m) => names[m]),
          { seed: 1 },
        ) as FakeSet;
        expect(r.scores[k].score).toBeCloseTo((await fakeEngine().score(embs[i], others)).score, 6);
      }
      // Only folds whose banks held a leaving item are scored again (and built again when it owned a large share).
      const touched = held.bankMembers.map((m) => m.some((i) => leave.has(i)));
      expect(n.scores).toBe(stay.filter((i) => touched[held.assignment[i]]).length);
      expect(n.builds).toBe(share <= MAX_PRUNED_SHARE ? 0 : touched.filter(Boolean).length);
      // A leaving item was in a bank a staying item was scored against, so at least one score rose.
      expect(stay.some((i, k) => r.scores[k].score > held.scores[i].score)).toBe(true);
    });
  }
});
