import { describe, expect, it } from 'vitest';
import type { Store } from '../../station/store/index.ts';
import { freshStore, seeded, verdictFor } from './helpers.ts';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const HOUR = 3_600_000;

/** Record a judged item against the seeded tile band. */
function judge(store: Store, refSetId: number, at: number, score: number, makerId: string | null = 'ana') {
  return store.inspections.record({
    inspectedAt: at,
    productId: 'tile',
    makerId,
    referenceSetId: refSetId,
    score,
    verdict: verdictFor(score),
    band: { reviewAt: 0.5, failAt: 0.8 },
    timings: { embed: 40, score: 2 },
    nearest: [{ fileName: 'good/017.jpg', distance: score / 2 }],
    framePath: '2024-05-01/x-frame-00.jpg',
  });
}

describe('products and makers', () => {
  it('upserts, keeps created_at, and finds makers by badge', () => {
    const store = freshStore();
    const first = store.products.upsert({ id: 'tile', name: 'Tile', settings: { minGood: 10 } }, 1000);
    const again = store.products.upsert({ id: 'tile', name: 'Glazed tile', settings: { minGood: 12 } }, 2000);
    expect(first.createdAt).toBe(1000);
    expect(again).toEqual({ id: 'tile', name: 'Glazed tile', settings: { minGood: 12 }, createdAt: 1000 });
    expect(store.products.list().map((p) => p.id)).toEqual(['tile']);

    store.makers.upsert({ id: 'ana', name: 'Ana', badgeCode: 'B-1' });
    expect(store.makers.byBadge('B-1')?.id).toBe('ana');
    expect(() => store.makers.upsert({ id: 'ben', name: 'Ben', badgeCode: 'B-1' })).toThrow(
      "badge code 'B-1' already belongs to maker 'ana'",
    );
    expect(() => store.products.upsert({ id: ' ', name: 'x' })).toThrow(/product id must be a non-empty string/);
  });
});

describe('inspections', () => {
  it('records and reads back every field; review and fail start pending', () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const pass = judge(store, refSet.id, T0, 0.2);
    const review = judge(store, refSet.id, T0 + 1, 0.6);
    const fail = judge(store, refSet.id, T0 + 2, 0.95);
    expect([pass.reviewStatus, review.reviewStatus, fail.reviewStatus]).toEqual(['none', 'pending', 'pending']);
    expect(store.inspections.get(review.id)).toEqual({
      id: review.id,
      inspectedAt: T0 + 1,
      productId: 'tile',
      makerId: 'ana',
      referenceSetId: refSet.id,
      score: 0.6,
      verdict: 'review',
      band: { reviewAt: 0.5, failAt: 0.8 },
      timings: { embed: 40, score: 2 },
      nearest: [{ fileName: 'good/017.jpg', distance: 0.3 }],
      framePath: '2024-05-01/x-frame-00.jpg',
      heatmapPath: null,
      evidencePrunedAt: null,
      reviewStatus: 'pending',
      error: null,
    });
    expect(store.inspections.get(99_999)).toBeUndefined();
  });

  it('reads JSON columns against their shape: a damaged or foreign value is named, not passed on', () => {
    const store = freshStore();
    seeded(store);
    const row = store.inspections.record({
      inspectedAt: T0,
      productId: 'tile',
      score: null,
      verdict: 'unjudged',
      nearest: [{ fileName: 'good-1.png', distance: 0.5, rank: 1 }],
    });
    expect(store.inspections.get(row.id)?.nearest).toEqual([{ fileName: 'good-1.png', distance: 0.5, rank: 1 }]);
    store.db.prepare('UPDATE inspections SET nearest_json = ? WHERE id = ?').run('[{"fileName":"x"}]', row.id);
    expect(() => store.inspections.get(row.id)).toThrow(/inspections.nearest_json of inspection \d+ → 0 → distance/);
    store.db
      .prepare('UPDATE inspections SET nearest_json = ?, timings_json = ? WHERE id = ?')
      .run('[]', '{"embed":"fast"}', row.id);
    expect(() => store.inspections.get(row.id)).toThrow(/inspections.timings_json of inspection \d+ → embed/);
    store.db.prepare('UPDATE inspections SET timings_json = ? WHERE id = ?').run('{oops', row.id);
    expect(() => store.inspections.get(row.id)).toThrow(/timings_json of inspection \d+ holds invalid JSON/);
  });

  it('records an item that could not be judged, and refuses a judged one without its score', () => {
    const store = freshStore();
    seeded(store);
    const u = store.inspections.record({
      inspectedAt: T0,
      productId: 'tile',
      score: null,
      verdict: 'unjudged',
      error: 'no active reference set',
    });
    expect(u).toMatchObject({ verdict: 'unjudged', score: null, makerId: null, reviewStatus: 'none' });
    expect(() =>
      store.inspections.record({ inspectedAt: T0, productId: 'tile', score: null, verdict: 'pass' }),
    ).toThrow(/'pass' inspection needs its score/);
    expect(() =>
      store.inspections.record({ inspectedAt: T0, productId: 'tile', score: 0.1, verdict: 'maybe' as never }),
    ).toThrow(/verdict must be one of pass, review, fail, unjudged/);
    expect(() =>
      store.inspections.record({ inspectedAt: T0, productId: 'vase', score: null, verdict: 'unjudged' }),
    ).toThrow("inspection names product 'vase', which is not in the store");
    expect(() =>
      store.inspections.record({
        inspectedAt: T0,
        productId: 'tile',
        makerId: 'zed',
        score: null,
        verdict: 'unjudged',
      }),
    ).toThrow("maker 'zed'");
    expect(() =>
      store.inspections.record({ inspectedAt: -5, productId: 'tile', score: null, verdict: 'unjudged' }),
    ).toThrow(/inspectedAt must be a millisecond epoch/);
    expect(store.inspections.count()).toBe(1);
  });

  it('refuses a reference set of another product', () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    expect(() =>
      store.inspections.record({
        inspectedAt: T0,
        productId: 'bowl',
        referenceSetId: refSet.id,
        score: 0.1,
        verdict: 'pass',
        band: { reviewAt: 0.5, failAt: 0.8 },
      }),
    ).toThrow(`reference set id ${refSet.id} belongs to product 'tile', not 'bowl'`);
  });

  it('lists newest first with filters, paging and counts', () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const scores = [0.1, 0.55, 0.9, 0.3, 0.85, 0.2, 0.65, 0.05];
    const made = scores.map((s, i) => judge(store, refSet.id, T0 + i * HOUR, s, i % 2 ? 'ben' : 'ana'));
    store.inspections.record({ inspectedAt: T0 + 100 * HOUR, productId: 'bowl', score: null, verdict: 'unjudged' });

    const all = store.inspections.list();
    expect(all.map((i) => i.inspectedAt)).toEqual([...all.map((i) => i.inspectedAt)].sort((a, b) => b - a));
    expect(all).toHaveLength(9);

    const ben = store.inspections.list({ productId: 'tile', makerId: 'ben' });
    expect(ben.map((i) => i.id)).toEqual(
      made
        .filter((_, i) => i % 2)
        .map((m) => m.id)
        .reverse(),
    );

    const expectFailOrReview = made.filter((m) => m.verdict !== 'pass').map((m) => m.id);
    const queue = store.inspections.list({ reviewStatus: 'pending' });
    expect(queue.map((i) => i.id).sort()).toEqual(expectFailOrReview.sort());
    expect(store.inspections.list({ verdict: ['fail'] }).every((i) => i.score! >= 0.8)).toBe(true);

    const window = store.inspections.list({ since: T0 + 2 * HOUR, until: T0 + 5 * HOUR });
    expect(window.map((i) => i.inspectedAt)).toEqual([T0 + 4 * HOUR, T0 + 3 * HOUR, T0 + 2 * HOUR]);

    const page1 = store.inspections.list({ productId: 'tile', limit: 3 });
    const page2 = store.inspections.list({ productId: 'tile', limit: 3, offset: 3 });
    expect([...page1, ...page2].map((i) => i.id)).toEqual(
      made
        .map((m) => m.id)
        .reverse()
        .slice(0, 6),
    );
    expect(store.inspections.list({ makerId: null }).map((i) => i.productId)).toEqual(['bowl']);

    const counts = store.inspections.countsByVerdict();
    const expected = { pass: 0, review: 0, fail: 0, unjudged: 1 };
    for (const s of scores) expected[verdictFor(s)]++;
    expect(counts).toEqual(expected);
    expect(store.inspections.count({ productId: 'tile' })).toBe(scores.length);

    expect(() => store.inspections.list({ limit: 0 })).toThrow(/limit must be an integer/);
    expect(() => store.inspections.list({ reviewStatus: 'lost' as never })).toThrow(
      /reviewStatus filter must be one of/,
    );
  });

  it('gives maker stats: counts and scores over time within the period', () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const anaScores = [0.1, 0.6, 0.2, 0.9];
    anaScores.forEach((s, i) => {
      judge(store, refSet.id, T0 + i * HOUR, s, 'ana');
    });
    judge(store, refSet.id, T0 + 30 * HOUR, 0.3, 'ana'); // outside the period
    judge(store, refSet.id, T0 + HOUR / 2, 0.7, 'ben');
    store.inspections.record({
      inspectedAt: T0 + 1,
      productId: 'tile',
      makerId: 'ana',
      score: null,
      verdict: 'unjudged',
    });

    const stats = store.inspections.makerStats({ productId: 'tile', makerId: 'ana', since: T0, until: T0 + 24 * HOUR });
    expect(stats.total).toBe(5);
    expect(stats.counts).toEqual({ pass: 2, review: 1, fail: 1, unjudged: 1 });
    expect(stats.points.map((p) => p.score)).toEqual(anaScores);
    expect(stats.points.every((p) => p.makerId === 'ana')).toBe(true);

    const workshop = store.inspections.makerStats({ productId: 'tile', since: T0, until: T0 + 24 * HOUR });
    expect(workshop.total).toBe(6);
    expect(workshop.points.map((p) => p.makerId)).toContain('ben');

    const byMaker = store.inspections.countsByMaker({ productId: 'tile' });
    expect(byMaker).toEqual([
      { makerId: 'ana', counts: { pass: 3, review: 1, fail: 1, unjudged: 1 } },
      { makerId: 'ben', counts: { pass: 0, review: 1, fail: 0, unjudged: 0 } },
    ]);
  });
});

describe('reference sets', () => {
  const add = (store: Store, productId = 'tile') =>
    store.referenceSets.addVersion({
      productId,
      filePath: `refsets/${productId}/v${store.referenceSets.nextVersion(productId)}.bin`,
      modelSha256: 'b'.repeat(64),
      imageCount: 15,
      band: { reviewAt: 0.4, failAt: 0.7 },
      report: { duplicates: 0 },
    });

  it('numbers versions, and activate keeps exactly one active', () => {
    const store = freshStore();
    seeded(store); // tile v1 active
    const v2 = add(store);
    const v3 = add(store);
    expect([v2.version, v3.version]).toEqual([2, 3]);
    expect(store.referenceSets.active('tile')?.version).toBe(1);

    for (const v of [3, 2, 1, 3]) {
      store.referenceSets.activate('tile', v);
      const active = store.referenceSets.list('tile').filter((r) => r.isActive);
      expect(active.map((r) => r.version)).toEqual([v]);
      expect(store.referenceSets.active('tile')?.version).toBe(v);
    }
    expect(store.referenceSets.active('tile')?.band).toEqual({ reviewAt: 0.4, failAt: 0.7 });
    expect(store.referenceSets.active('bowl')).toBeUndefined();
  });

  it('a failed activation changes nothing, and the database forbids two active', () => {
    const store = freshStore();
    seeded(store);
    add(store);
    expect(() => store.referenceSets.activate('tile', 7)).toThrow(
      'reference set tile v7 does not exist (versions: 1, 2)',
    );
    expect(store.referenceSets.active('tile')?.version).toBe(1);
    expect(() => store.db.prepare(`UPDATE reference_sets SET is_active = 1 WHERE product_id = 'tile'`).run()).toThrow(
      /UNIQUE/,
    );
    expect(store.referenceSets.list('tile').filter((r) => r.isActive)).toHaveLength(1);
  });

  it('refuses bad versions and bands by name', () => {
    const store = freshStore();
    seeded(store);
    const base = {
      productId: 'tile',
      filePath: 'f',
      modelSha256: 'c',
      imageCount: 3,
      band: { reviewAt: 1, failAt: 2 },
    };
    expect(() => store.referenceSets.addVersion({ ...base, version: 1 })).toThrow(
      'reference set tile v1 already exists; versions are never overwritten, use version 2',
    );
    expect(() => store.referenceSets.addVersion({ ...base, band: { reviewAt: 3, failAt: 2 } })).toThrow(
      'reviewAt (3) must not exceed failAt (2)',
    );
    expect(() => store.referenceSets.addVersion({ ...base, productId: 'vase' })).toThrow(
      "product 'vase' is not in the store",
    );
    expect(store.referenceSets.list('tile')).toHaveLength(1);
  });
});

describe('reviews', () => {
  it('actions move the review status; notes do not; history keeps who and when', () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const a = judge(store, refSet.id, T0, 0.9);
    const b = judge(store, refSet.id, T0 + 1, 0.6);

    const r1 = store.reviews.add(
      { inspectionId: a.id, action: 'note', note: ' glaze pooled ', userName: 'lead' },
      5000,
    );
    expect(r1.review).toMatchObject({ action: 'note', note: 'glaze pooled', userName: 'lead', createdAt: 5000 });
    expect(store.inspections.get(a.id)?.reviewStatus).toBe('pending');

    store.reviews.add({ inspectionId: a.id, action: 'confirm_defect', userName: 'lead' }, 6000);
    expect(store.inspections.get(a.id)?.reviewStatus).toBe('confirmed_defect');

    const accepted = store.reviews.add(
      {
        inspectionId: b.id,
        action: 'accept_good',
        userName: 'mara',
        calibrationImage: { filePath: 'calibration/tile/good/review-2.jpg', sha256: 'd'.repeat(64) },
      },
      7000,
    );
    expect(accepted.inspection.reviewStatus).toBe('accepted_good');
    expect(store.calibrationImages.list('tile')).toEqual([
      expect.objectContaining({ source: 'review', inspectionId: b.id, filePath: 'calibration/tile/good/review-2.jpg' }),
    ]);
    expect(store.inspections.list({ reviewStatus: 'pending' })).toHaveLength(0);
    expect(store.reviews.forInspection(a.id).map((r) => r.action)).toEqual(['note', 'confirm_defect']);
  });

  it('a refused review leaves status, history and provenance unchanged', () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const a = judge(store, refSet.id, T0, 0.6);
    const b = judge(store, refSet.id, T0 + 1, 0.7);
    const image = { filePath: 'calibration/tile/good/a.jpg', sha256: 'e'.repeat(64) };
    store.reviews.add({ inspectionId: a.id, action: 'accept_good', userName: 'lead', calibrationImage: image });
    // Same image content again: the calibration insert fails, so the whole review must roll back.
    expect(() =>
      store.reviews.add({ inspectionId: b.id, action: 'accept_good', userName: 'lead', calibrationImage: image }),
    ).toThrow(/already a calibration image of 'tile'/);
    expect(store.inspections.get(b.id)?.reviewStatus).toBe('pending');
    expect(store.reviews.forInspection(b.id)).toEqual([]);

    expect(() => store.reviews.add({ inspectionId: 424242, action: 'confirm_defect', userName: 'lead' })).toThrow(
      'inspection 424242 does not exist',
    );
    expect(() => store.reviews.add({ inspectionId: a.id, action: 'note', note: '  ', userName: 'lead' })).toThrow(
      /needs non-empty note/,
    );
    expect(() => store.reviews.add({ inspectionId: a.id, action: 'approve' as never, userName: 'lead' })).toThrow(
      /review action must be one of/,
    );
  });
});

describe('users', () => {
  it('creates, lists without hashes, changes and removes logins', () => {
    const store = freshStore();
    store.users.create({ name: 'mara', passwordHash: 'scrypt$1', role: 'lead' }, 10);
    expect(store.users.get('mara')).toEqual({ name: 'mara', passwordHash: 'scrypt$1', role: 'lead', createdAt: 10 });
    expect(store.users.list()).toEqual([{ name: 'mara', role: 'lead', createdAt: 10 }]);
    expect(() => store.users.create({ name: 'mara', passwordHash: 'x', role: 'lead' })).toThrow(
      "user 'mara' already exists",
    );
    expect(() => store.users.create({ name: 'tom', passwordHash: 'x', role: 'boss' as never })).toThrow(
      /role of user 'tom'/,
    );
    store.users.setPasswordHash('mara', 'scrypt$2');
    store.users.setRole('mara', 'admin');
    expect(store.users.get('mara')).toMatchObject({ passwordHash: 'scrypt$2', role: 'admin' });
    store.users.remove('mara');
    expect(store.users.get('mara')).toBeUndefined();
    expect(() => store.users.remove('mara')).toThrow("user 'mara' does not exist");
    expect(store.integrityCheck()).toBe('ok');
  });
});
