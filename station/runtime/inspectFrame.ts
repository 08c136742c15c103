/**
 * One item, from the steady frame to a committed inspection row:
 * engine → verdict → evidence files → SQLite. The row is committed before anyone is told.
 * When the item cannot be judged (no reference set, engine error) the row says 'unjudged'
 * with the reason: never a pass for an item that was not inspected.
 */
import sharp from 'sharp';
import type { Frame } from '../capture/types.ts';
import type { Inspection, Store } from '../store/index.ts';
import { writeEvidence } from '../store/index.ts';
import { nearestExamples } from '../verdict/explain.ts';
import { judgeInspection } from '../verdict/scoreModel.ts';
import { heatmapOverlay, selfScale, type OverlayScale } from '../vision/overlay.ts';
import type { DecodedImage } from '../vision/types.ts';
import { scoredItem } from '../engines/setInspection.ts';
import type { ActiveProduct } from './activeProduct.ts';

export interface InspectRequest {
  frame: Frame;
  productId: string;
  makerId: string | null;
  /** The product's loaded reference set, or why there is none. */
  active: ActiveProduct | Error;
}

const jpeg = (img: DecodedImage) =>
  sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 3 },
  })
    .jpeg({ quality: 88 })
    .toBuffer();

/**
 * Colour starts just below the review threshold: a passing item shows (almost) no colour. Needs a band in map units:
 * the engine's raw score, or a pair's combined one (its map is blended on the same scale).
 */
function overlayScale(active: ActiveProduct, fallback: OverlayScale): OverlayScale {
  const kind = active.band.scoreModel?.kind ?? 'raw';
  const raw = kind === 'raw' || kind === 'pair';
  return raw ? { low: 0.9 * active.band.reviewAt, high: active.band.failAt } : fallback;
}

export async function inspectFrame(store: Store, req: InspectRequest): Promise<Inspection> {
  const { frame, productId, makerId, active } = req;
  const inspectedAt = Date.now();
  const image: DecodedImage = {
    name: `frame ${frame.seq}`,
    width: frame.width,
    height: frame.height,
    data: frame.data,
  };
  const t0 = performance.now();
  let judged: ReturnType<typeof judgeInspection> = { verdict: 'unjudged', score: null };
  let error: string | null = active instanceof Error ? active.message : null;
  let timings: Record<string, number> = {};
  let heatmap: DecodedImage | null = null;
  let nearest: { fileName: string; distance: number }[] = [];
  if (!(active instanceof Error)) {
    try {
      const r = await active.inspect(image);
      judged = judgeInspection(scoredItem(r), active.band);
      if (judged.error) error = judged.error;
      const th = performance.now();
      heatmap = heatmapOverlay(image, r.anomalyMap, overlayScale(active, selfScale(r.anomalyMap)));
      timings = { ...r.timings, overlayMs: performance.now() - th };
      const { names, embeddings } = active.referenceSet.images;
      nearest = nearestExamples(r.embedding.imageEmbedding, embeddings, names, 3).map((m) => ({
        fileName: m.name,
        distance: m.distance,
      }));
    } catch (err) {
      error = `could not inspect: ${(err as Error).message}`;
      judged = { verdict: 'unjudged', score: null };
    }
  }
  const te = performance.now();
  const framePath = await writeEvidence(store.dataDir, { inspectedAt, kind: 'frame', jpeg: await jpeg(image) });
  const heatmapPath = heatmap
    ? await writeEvidence(store.dataDir, { inspectedAt, kind: 'heatmap', jpeg: await jpeg(heatmap) })
    : null;
  timings.evidenceMs = performance.now() - te;
  timings.totalMs = performance.now() - t0;
  const isJudged = judged.verdict !== 'unjudged';
  return store.inspections.record({
    inspectedAt,
    productId,
    makerId,
    referenceSetId: active instanceof Error ? null : active.row.id,
    score: isJudged ? judged.score : null,
    verdict: judged.verdict,
    band: active instanceof Error ? null : { reviewAt: active.band.reviewAt, failAt: active.band.failAt },
    timings,
    nearest,
    framePath,
    heatmapPath,
    error,
  });
}
