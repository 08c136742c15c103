// Review decisions: stored with who and when; accept_good copies the frame into
// calibration/<product>/good/ with a provenance row in calibration_images.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEvidence } from '../../station/store/index.ts';
import { addInspection, Client, seed, startHarness, type Harness } from './harness.ts';

let h: Harness;
let lead: Client;

beforeAll(async () => {
  h = await startHarness();
  await seed(h);
  lead = new Client(h.url);
  await lead.login('lead1');
});
afterAll(() => h.close());

const review = (id: number, body: unknown) => lead.post(`/api/inspections/${id}/review`, body);

describe('POST /api/inspections/:id/review', () => {
  it('accept_good copies the frame into the good folder and records its provenance', async () => {
    const row = await addInspection(h, { score: 0.65 });
    const res = await review(row.id, { action: 'accept_good', note: 'glaze pool is fine' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      inspection: { reviewStatus: string };
      calibrationImage: { filePath: string; sha256: string };
    };
    expect(body.inspection.reviewStatus).toBe('accepted_good');

    const target = path.join(h.calibrationDir, 'tile', 'good', `inspection-${row.id}.jpg`);
    const original = readFileSync(resolveEvidence(h.dataDir, row.framePath as string));
    expect(readFileSync(target).equals(original)).toBe(true);
    // No temp files left behind.
    expect(readdirSync(path.dirname(target))).toEqual([`inspection-${row.id}.jpg`]);

    const images = h.store.calibrationImages.list('tile');
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({
      source: 'review',
      inspectionId: row.id,
      filePath: target,
      sha256: createHash('sha256').update(original).digest('hex'),
    });
    const reviews = h.store.reviews.forInspection(row.id);
    expect(reviews.map((r) => [r.action, r.userName, r.note])).toEqual([
      ['accept_good', 'lead1', 'glaze pool is fine'],
    ]);
    expect(Math.abs(reviews[0].createdAt - Date.now())).toBeLessThan(10_000);

    // Accepting the same item twice is refused and changes nothing.
    const again = await review(row.id, { action: 'accept_good' });
    expect(again.status).toBe(409);
    expect(h.store.calibrationImages.list('tile')).toHaveLength(1);
  });

  it('confirm_defect moves the item out of the pending queue', async () => {
    const row = await addInspection(h, { score: 0.95 });
    expect(h.store.inspections.get(row.id)?.reviewStatus).toBe('pending');
    expect((await review(row.id, { action: 'confirm_defect' })).status).toBe(200);
    expect(h.store.inspections.get(row.id)?.reviewStatus).toBe('confirmed_defect');
    expect(existsSync(path.join(h.calibrationDir, 'tile', 'good', `inspection-${row.id}.jpg`))).toBe(false);
  });

  it('a note keeps the status and needs text', async () => {
    const row = await addInspection(h, { score: 0.7 });
    expect((await review(row.id, { action: 'note', note: 'ask Ana about the rim' })).status).toBe(200);
    expect(h.store.inspections.get(row.id)?.reviewStatus).toBe('pending');
    const empty = await review(row.id, { action: 'note', note: '  ' });
    expect(empty.status).toBe(400);
  });

  it('refuses accept_good when the frame was pruned, leaving no file and no row', async () => {
    const row = await addInspection(h, { score: 0.7, at: Date.now() - 40 * 86_400_000 });
    await h.store.applyRetention(30);
    const res = await review(row.id, { action: 'accept_good' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/deleted by retention/);
    expect(h.store.reviews.forInspection(row.id)).toEqual([]);
  });

  it('validates the action and the inspection id', async () => {
    const row = await addInspection(h, { score: 0.7 });
    const bad = await review(row.id, { action: 'delete' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /body → action: must be one of confirm_defect, accept_good, note/,
    );
    expect((await review(row.id, { action: 'note', note: 'x'.repeat(2001) })).status).toBe(400);
    expect((await review(987654, { action: 'confirm_defect' })).status).toBe(404);
  });

  it('confirming a defect on an accepted item takes its image out of calibration; the reference set that learned it says so', async () => {
    const row = await addInspection(h, { score: 0.61 });
    const accepted = (await (await review(row.id, { action: 'accept_good', seenStatus: 'pending' })).json()) as {
      calibrationImage: { filePath: string; sha256: string };
    };
    const copy = accepted.calibrationImage.filePath;
    expect(existsSync(copy)).toBe(true);
    // A version built after the acceptance learned that image as good.
    const learned = h.store.referenceSets.addVersion({
      productId: 'tile',
      filePath: 'refsets/tile/vN.refset',
      modelSha256: 'a'.repeat(64),
      imageCount: 21,
      band: { reviewAt: 0.5, failAt: 0.8 },
      report: {
        images: {
          goodNames: ['good/g01.png', `good/${path.basename(copy)}`],
          goodSha256: ['0'.repeat(64), accepted.calibrationImage.sha256],
        },
      },
    });

    const res = await review(row.id, {
      action: 'confirm_defect',
      note: 'hairline crack under the glaze',
      seenStatus: 'accepted_good',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { withdrawn: string[] }).withdrawn).toEqual([copy]);
    expect(existsSync(copy)).toBe(false);
    expect(h.store.inspections.get(row.id)?.reviewStatus).toBe('confirmed_defect');
    expect(h.store.calibrationImages.list('tile').find((c) => c.inspectionId === row.id)).toMatchObject({
      withdrawnReason: `inspection ${row.id} confirmed defective by lead1`,
    });

    const sets = (await (await lead.get('/api/reference-sets/tile')).json()) as {
      versions: { version: number; confirmedDefective: { name: string }[] }[];
    };
    expect(sets.versions.find((v) => v.version === learned.version)!.confirmedDefective).toEqual([
      { name: `good/${path.basename(copy)}`, reason: `inspection ${row.id} confirmed defective by lead1` },
    ]);
    expect(sets.versions.find((v) => v.version === 2)!.confirmedDefective).toEqual([]);
  });

  it('a confirmed defect is not accepted as good variation, and a decision on a stale view is refused; neither copies anything', async () => {
    const row = await addInspection(h, { score: 0.62 });
    expect((await review(row.id, { action: 'confirm_defect', seenStatus: 'pending' })).status).toBe(200);
    const late = await review(row.id, { action: 'accept_good' });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: string }).error).toBe(
      `inspection ${row.id} was confirmed defective by lead1: a confirmed defect is not accepted as good variation`,
    );
    const twice = await review(row.id, { action: 'confirm_defect' });
    expect(twice.status).toBe(409);

    // Another lead decided while this pane still showed the item as pending.
    const other = await addInspection(h, { score: 0.63 });
    h.store.reviews.add({ inspectionId: other.id, action: 'confirm_defect', userName: 'lead2' });
    const stale = await review(other.id, { action: 'accept_good', seenStatus: 'pending' });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: string }).error).toMatch(
      /changed since it was shown \(it is now confirmed defect by lead2\)/,
    );
    for (const id of [row.id, other.id])
      expect(existsSync(path.join(h.calibrationDir, 'tile', 'good', `inspection-${id}.jpg`))).toBe(false);
    expect(h.store.reviews.forInspection(other.id)).toHaveLength(1);
    // A note is always welcome, whatever happened since.
    expect((await review(other.id, { action: 'note', note: 'seen', seenStatus: 'pending' })).status).toBe(200);
    expect((await review(other.id, { action: 'confirm_defect', seenStatus: 'waiting' })).status).toBe(400);
  });
});
