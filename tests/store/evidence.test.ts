import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS, evidenceRoot, pruneEvidence, resolveEvidence, writeEvidence } from '../../station/store/evidence.ts';
import { fakeJpeg, freshStore, seeded, tempDir } from './helpers.ts';

const listAll = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort()
    : [];

describe('evidence files', () => {
  it('writes under the UTC day folder, byte for byte, with no temp files left', async () => {
    const dataDir = tempDir();
    const at = Date.UTC(2024, 4, 1, 23, 59, 59, 500);
    const jpegs = Array.from({ length: 6 }, (_, i) => fakeJpeg(i, 1000 + i * 333));
    const rels = await Promise.all(
      jpegs.map((jpeg, i) => writeEvidence(dataDir, { inspectedAt: at + i, kind: i % 2 ? 'heatmap' : 'frame', jpeg })),
    );
    expect(new Set(rels).size).toBe(6);
    rels.forEach((rel, i) => {
      expect(rel).toMatch(new RegExp(`^2024-05-01/${at + i}-(frame|heatmap)-[0-9a-f]+\\.jpg$`));
      expect(readFileSync(resolveEvidence(dataDir, rel)).equals(jpegs[i])).toBe(true);
    });
    expect(listAll(evidenceRoot(dataDir))).toEqual([...rels].sort());
    const nextDay = await writeEvidence(dataDir, { inspectedAt: at + 600, kind: 'frame', jpeg: jpegs[0] });
    expect(nextDay.startsWith('2024-05-02/')).toBe(true);
  });

  it('refuses data that is not JPEG and leaves nothing behind', async () => {
    const dataDir = tempDir();
    await expect(
      writeEvidence(dataDir, { inspectedAt: 1, kind: 'frame', jpeg: Buffer.from('\x89PNG\r\n') }),
    ).rejects.toThrow('evidence frame is not JPEG data');
    expect(listAll(evidenceRoot(dataDir))).toEqual([]);
  });

  it('reports a write that fails, removing its temp file', async () => {
    const dataDir = tempDir();
    const at = Date.UTC(2024, 0, 2);
    // The day "folder" is a file: the write must fail clearly.
    mkdirSync(evidenceRoot(dataDir), { recursive: true });
    writeFileSync(path.join(evidenceRoot(dataDir), '2024-01-02'), 'in the way');
    await expect(writeEvidence(dataDir, { inspectedAt: at, kind: 'heatmap', jpeg: fakeJpeg(1) })).rejects.toThrow(
      /cannot write evidence heatmap under .*2024-01-02/,
    );
    expect(listAll(evidenceRoot(dataDir))).toEqual(['2024-01-02']);
  });

  it('refuses paths that leave the evidence folder', async () => {
    const dataDir = tempDir();
    const ok = await writeEvidence(dataDir, { inspectedAt: 0, kind: 'frame', jpeg: fakeJpeg(3) });
    expect(resolveEvidence(dataDir, ok)).toBe(path.join(evidenceRoot(dataDir), ok));
    writeFileSync(path.join(dataDir, 'secret.txt'), 'password');
    const attempts = [
      '../station.sqlite',
      '../secret.txt',
      '1970-01-01/../../secret.txt',
      '/etc/passwd',
      '..\\secret.txt',
      'C:/Windows/win.ini',
      '1970-01-01/\0.jpg',
      '',
      '..',
    ];
    for (const attempt of attempts) {
      expect(() => resolveEvidence(dataDir, attempt), attempt).toThrow(/evidence path .* refused/);
    }
    symlinkSync(path.join(dataDir, 'secret.txt'), path.join(evidenceRoot(dataDir), 'link.jpg'));
    expect(() => resolveEvidence(dataDir, 'link.jpg')).toThrow(/links outside the evidence folder/);
  });

  it('prunes files older than keepDays, keeps newer ones and foreign files, drops empty days', async () => {
    const dataDir = tempDir();
    const now = Date.UTC(2024, 5, 30, 12);
    const ages = [40, 31, 30.5, 29.9, 3, 0]; // days before now
    const rels = await Promise.all(
      ages.map((d, i) =>
        writeEvidence(dataDir, { inspectedAt: Math.round(now - d * DAY_MS), kind: 'frame', jpeg: fakeJpeg(i) }),
      ),
    );
    const oldDay = rels[0].slice(0, 10);
    writeFileSync(path.join(evidenceRoot(dataDir), rels[4].slice(0, 10), 'notes.txt'), 'someone put this here');

    const result = await pruneEvidence(dataDir, 30, now);
    expect(result.cutoff).toBe(now - 30 * DAY_MS);
    expect(result.removedFiles.sort()).toEqual(rels.slice(0, 3).sort());
    expect(result.unknownFiles).toEqual([`${rels[4].slice(0, 10)}/notes.txt`]);
    for (const rel of rels.slice(3)) expect(existsSync(resolveEvidence(dataDir, rel))).toBe(true);
    expect(existsSync(path.join(evidenceRoot(dataDir), oldDay))).toBe(false);
    expect((await pruneEvidence(dataDir, 30, now)).removedFiles).toEqual([]);
    await expect(pruneEvidence(dataDir, -1, now)).rejects.toThrow(/keepDays must be a number >= 0/);
  });

  it('clears temp files left by a crash once they are stale, not while fresh', async () => {
    const dataDir = tempDir();
    const dir = path.join(evidenceRoot(dataDir), '2024-06-30');
    mkdirSync(dir, { recursive: true });
    const stale = path.join(dir, '.1719748800000-frame-ab.jpg.tmp-123');
    const fresh = path.join(dir, '.1719748800001-frame-cd.jpg.tmp-124');
    writeFileSync(stale, 'half');
    writeFileSync(fresh, 'half');
    const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000;
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    const result = await pruneEvidence(dataDir, 30, Date.UTC(2024, 5, 30));
    expect(result.removedTempFiles).toEqual([`2024-06-30/${path.basename(stale)}`]);
    expect(existsSync(fresh)).toBe(true);
  });

  it('retention keeps the rows forever but marks their evidence gone', async () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const now = Date.UTC(2024, 5, 30, 12);
    const record = async (ageDays: number) => {
      const inspectedAt = now - ageDays * DAY_MS;
      const framePath = await writeEvidence(store.dataDir, { inspectedAt, kind: 'frame', jpeg: fakeJpeg(ageDays) });
      const heatmapPath = await writeEvidence(store.dataDir, {
        inspectedAt,
        kind: 'heatmap',
        jpeg: fakeJpeg(ageDays + 1),
      });
      return store.inspections.record({
        inspectedAt,
        productId: 'tile',
        referenceSetId: refSet.id,
        score: 0.6,
        verdict: 'review',
        band: { reviewAt: 0.5, failAt: 0.8 },
        framePath,
        heatmapPath,
      });
    };
    const old = await record(45);
    const recent = await record(2);
    const result = await store.applyRetention(30, now);
    expect(result.rowsMarked).toBe(1);
    expect(result.removedFiles.sort()).toEqual([old.framePath, old.heatmapPath].sort());
    expect(store.inspections.get(old.id)).toMatchObject({
      framePath: null,
      heatmapPath: null,
      evidencePrunedAt: now,
      score: 0.6,
    });
    expect(store.inspections.get(recent.id)).toMatchObject({ framePath: recent.framePath, evidencePrunedAt: null });
    expect(existsSync(resolveEvidence(store.dataDir, recent.heatmapPath!))).toBe(true);
    expect(store.inspections.count()).toBe(2);
  });

  it('at start, removes evidence images no row refers to and every temp file; referenced and foreign files stay', async () => {
    const store = freshStore();
    const { refSet } = seeded(store);
    const at = Date.UTC(2024, 5, 29, 23, 59);
    const framePath = await writeEvidence(store.dataDir, { inspectedAt: at, kind: 'frame', jpeg: fakeJpeg(1) });
    const kept = store.inspections.record({
      inspectedAt: at,
      productId: 'tile',
      referenceSetId: refSet.id,
      score: 0.2,
      verdict: 'pass',
      band: { reviewAt: 0.5, failAt: 0.8 },
      framePath,
    });
    // Killed after the images were written, before the row: the next day, and one the same day.
    const orphans = [
      await writeEvidence(store.dataDir, { inspectedAt: at + 120_000, kind: 'frame', jpeg: fakeJpeg(2) }),
      await writeEvidence(store.dataDir, { inspectedAt: at + 1000, kind: 'heatmap', jpeg: fakeJpeg(3) }),
    ];
    const temp = path.join(evidenceRoot(store.dataDir), '2024-06-30', `.${at + 120_001}-frame-ab.jpg.tmp-99-0a0b0c0d`);
    writeFileSync(temp, 'half');
    const foreign = path.join(evidenceRoot(store.dataDir), '2024-06-30', 'notes.txt');
    writeFileSync(foreign, 'mine');

    const swept = await store.sweepOrphanEvidence();
    expect(swept.removedFiles.sort()).toEqual([...orphans].sort());
    expect(swept.removedTempFiles).toEqual([`2024-06-30/${path.basename(temp)}`]);
    expect(listAll(evidenceRoot(store.dataDir))).toEqual([kept.framePath!, '2024-06-30/notes.txt'].sort());
    expect((await store.sweepOrphanEvidence()).removedFiles).toEqual([]);
  });
});
