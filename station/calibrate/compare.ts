/**
 * Before/after against the previous active version, on the same images, honestly:
 * rejects are scored by both; good images only when the previous reference set did not contain them
 * (otherwise its scores would be self-scores), the new side using held-out scores.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Band } from '../shared/domain.d.ts';
import type { ReferenceSetVersion } from '../store/index.ts';
import { goodRates, rejectRates } from '../verdict/judge.ts';
import { productScorer } from '../verdict/scoreModel.ts';
import type { CalibrationEngine } from './engine.ts';
import type { VersionComparison } from './report.ts';
import { refsetFile, versionBand } from '../referenceSets/versions.ts';

export interface CompareInput<E> {
  previous: ReferenceSetVersion;
  dataDir: string;
  engine: CalibrationEngine<E, unknown>;
  good: { sha256: string; embedding: E; heldOutScore: number }[];
  rejects: { embedding: E; score: number }[];
  band: { reviewAt: number; failAt: number };
}

export async function compareWithPrevious<E>(x: CompareInput<E>): Promise<VersionComparison> {
  const prev = x.previous;
  const out: VersionComparison = { previousVersion: prev.version, notes: [] };
  if (prev.modelSha256 !== x.engine.modelSha256) {
    out.notes.push(
      `v${prev.version} was built with another backbone (sha256 ${prev.modelSha256.slice(0, 12)}…); its scores are not comparable`,
    );
    return out;
  }
  const file = refsetFile(x.dataDir, prev.filePath);
  if (!existsSync(file)) {
    out.notes.push(`v${prev.version}'s file ${file} is missing; no comparison`);
    return out;
  }
  let prevSet: unknown;
  try {
    prevSet = x.engine.deserialise(readFileSync(file), file);
  } catch (err) {
    out.notes.push(`v${prev.version}'s file cannot be loaded (${(err as Error).message}); no comparison`);
    return out;
  }
  let prevBand: Band;
  let prevScore: ReturnType<typeof productScorer>;
  try {
    const t = versionBand(prev, x.engine.judgingOf(prevSet), `reference set ${prev.productId} v${prev.version}`);
    prevBand = { reviewAt: t.reviewAt, failAt: t.failAt };
    prevScore = productScorer(t.scoreModel ?? { kind: 'raw' });
  } catch (err) {
    out.notes.push(`v${prev.version}'s tolerance model is unusable (${(err as Error).message})`);
    return out;
  }
  const prevShas = new Set((prev.report as { images?: { goodSha256?: string[] } }).images?.goodSha256 ?? []);
  const fresh = x.good.filter((g) => !prevShas.has(g.sha256));
  const inPrev = x.good.length - fresh.length;
  if (inPrev > 0)
    out.notes.push(
      `${inPrev} good image(s) were in v${prev.version}'s reference set; scoring them against it would be self-scoring, so they are left out of the good comparison`,
    );
  try {
    if (fresh.length > 0) {
      const before: number[] = [];
      for (const g of fresh) before.push(prevScore(await x.engine.score(g.embedding, prevSet)));
      out.good = {
        n: fresh.length,
        before: goodRates(before, prevBand),
        after: goodRates(
          fresh.map((g) => g.heldOutScore),
          x.band,
        ),
      };
    } else
      out.notes.push(
        `no good image is new since v${prev.version}; false alarms cannot be compared on unseen good items`,
      );
    if (x.rejects.length > 0) {
      const before: number[] = [];
      for (const r of x.rejects) before.push(prevScore(await x.engine.score(r.embedding, prevSet)));
      out.reject = {
        n: x.rejects.length,
        before: rejectRates(before, prevBand),
        after: rejectRates(
          x.rejects.map((r) => r.score),
          x.band,
        ),
      };
    }
  } catch (err) {
    out.notes.push(`scoring against v${prev.version} failed (${(err as Error).message}); comparison incomplete`);
  }
  return out;
}
