/**
 * An outbox entry (the record as the station committed it) → the event the workshop network carries: the one place
 * where the station's records are mapped to the wire (station/network/messages.ts).
 */
import type { Inspection, ReferenceSetVersion, Review } from '../store/index.ts';
import type { OutboxEntry } from '../store/index.ts';
import { MESSAGE_VERSION, type EventData, type EventMessage } from './messages.ts';
import type { CarriedFile } from './refsetFile.ts';
import type { Thumbnails } from './thumbnails.ts';

type Payload<T> = T & Record<string, unknown>;

function inspectionData(i: Payload<Inspection>, thumbnails: Thumbnails): EventData<'inspection'> {
  return {
    id: i.id,
    inspectedAt: i.inspectedAt,
    productId: i.productId,
    makerId: i.makerId,
    referenceSetId: i.referenceSetId,
    score: i.score,
    verdict: i.verdict,
    band: i.band && { reviewAt: i.band.reviewAt, failAt: i.band.failAt },
    timings: i.timings,
    reviewStatus: i.reviewStatus,
    error: i.error,
    thumbnails,
  };
}

function reviewData(p: Record<string, unknown>): EventData<'review'> {
  const r = p.review as Review;
  return {
    id: r.id,
    inspectionId: r.inspectionId,
    action: r.action,
    note: r.note,
    userName: r.userName,
    decidedAt: r.createdAt,
    reviewStatus: p.reviewStatus as EventData<'review'>['reviewStatus'],
    trainsOn: p.trainsOn === true,
  };
}

function versionData(
  v: Payload<Omit<ReferenceSetVersion, 'report' | 'filePath'>>,
  carried: CarriedFile,
): EventData<'reference_set_version'> {
  return {
    id: v.id,
    productId: v.productId,
    version: v.version,
    modelSha256: v.modelSha256,
    backboneId: v.backboneId,
    imageCount: v.imageCount,
    band: { reviewAt: v.band.reviewAt, failAt: v.band.failAt },
    scoreKind: v.scoreKind,
    format: v.format,
    createdAt: v.createdAt,
    ...carried,
  };
}

const noFile = async (): Promise<CarriedFile> => ({});

/**
 * `thumbnails` is asked only for inspections (it reads evidence files), `file` only for reference-set versions (it
 * reads the version's file). The result is not validated here: the hub
 * validates every message and keeps the ones it refuses, with the reason, so nothing is lost to a mapping bug.
 */
export async function toEvent(
  entry: OutboxEntry,
  stationId: string,
  thumbnails: (evidence: { framePath: string | null; heatmapPath: string | null }) => Promise<Thumbnails>,
  file: (versionId: number) => Promise<CarriedFile> = noFile,
): Promise<EventMessage> {
  const head = { v: MESSAGE_VERSION, station: stationId, seq: entry.seq, at: entry.createdAt } as const;
  const p = entry.payload;
  switch (entry.kind) {
    case 'inspection': {
      const i = p as Payload<Inspection>;
      return { ...head, kind: 'inspection', data: inspectionData(i, await thumbnails(i)) };
    }
    case 'review':
      return { ...head, kind: 'review', data: reviewData(p) };
    case 'reference_set_version': {
      const v = p as Payload<ReferenceSetVersion>;
      return { ...head, kind: 'reference_set_version', data: versionData(v, await file(v.id)) };
    }
    case 'reference_set_activated':
      return { ...head, kind: 'reference_set_activated', data: p as EventData<'reference_set_activated'> };
    case 'selection':
      return { ...head, kind: 'selection', data: p as EventData<'selection'> };
    case 'reference_set_refused':
      return { ...head, kind: 'reference_set_refused', data: p as EventData<'reference_set_refused'> };
    case 'reference_set_checked':
      return { ...head, kind: 'reference_set_checked', data: p as EventData<'reference_set_checked'> };
    case 'review_refused':
      return { ...head, kind: 'review_refused', data: p as EventData<'review_refused'> };
  }
}
