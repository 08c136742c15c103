/**
 * The workshop network's messages, version 1: one schema per message, shared by the station that publishes them
 * and the hub that stores them. Every event is an envelope with the station id and its station-sequence (the
 * outbox seq): the hub keys on the pair, never on clocks, so a resend is recognised and a gap is visible.
 * A change that old readers cannot take becomes version 2, published beside version 1 until every hub reads it.
 */
import { z } from 'zod';
import type { Verdict } from '../shared/domain.d.ts';
import { fileBytes, REVIEW_ACTIONS, SHA256 } from './commands.ts';
import { STATION_ID } from './topics.ts';

export const MESSAGE_VERSION = 1;

const stationId = z.string().regex(STATION_ID, "1 to 64 letters, digits, '-' or '_'");
const time = z.number().int().nonnegative();
const id = z.number().int().positive();
const band = z.strictObject({ reviewAt: z.number(), failAt: z.number() });
const sha256 = z.string().regex(SHA256, 'a sha256 in lowercase hex');
const rate = z.number().min(0).max(1);
const rateInterval = z.tuple([rate, rate]);

const verdict = z.enum(['pass', 'review', 'fail', 'unjudged'] as const satisfies readonly Verdict[]);
const reviewStatus = z.enum(['none', 'pending', 'confirmed_defect', 'accepted_good']);

/** Small JPEGs (base64) of the frame and heatmap; the full evidence stays on the station. */
const thumbnails = z.strictObject({ frame: z.string().optional(), heatmap: z.string().optional() });

const inspection = z.strictObject({
  id,
  inspectedAt: time,
  productId: z.string().min(1),
  makerId: z.string().min(1).nullable(),
  referenceSetId: id.nullable(),
  score: z.number().nullable(),
  verdict,
  band: band.nullable(),
  timings: z.record(z.string(), z.number()),
  reviewStatus,
  error: z.string().nullable(),
  thumbnails,
});

const review = z.strictObject({
  id,
  inspectionId: id,
  action: z.enum(REVIEW_ACTIONS),
  note: z.string().nullable(),
  userName: z.string().min(1),
  decidedAt: time,
  /** The inspection's review status after the decision. */
  reviewStatus,
  /** The decision added the item's image to the product's good calibration images. */
  trainsOn: z.boolean(),
});

/** A decision the hub sent (review_decision) that this station did not record, and why; nothing of it was kept. */
const reviewRefused = z.strictObject({
  inspectionId: id,
  action: z.enum(REVIEW_ACTIONS),
  /** Who asked, as the station would have recorded it ("<lead>@hub"). */
  userName: z.string().min(1),
  reason: z.string().min(1),
});

const referenceSetVersion = z.strictObject({
  id,
  productId: z.string().min(1),
  version: id,
  modelSha256: z.string().min(1),
  backboneId: z.string().nullable(),
  imageCount: z.number().int().nonnegative(),
  band,
  scoreKind: z.enum(['raw', 'top', 'region', 'pair']),
  format: id,
  createdAt: time,
  /**
   * The version's file, read when the event is sent (the outbox holds only the row): the hub keeps it to publish it
   * to other benches. It travels inside this event rather than on a leaf of its own so the hub gets the file and its
   * version in one message, under the (station, seq) key, with nothing to pair up; MAX_REFERENCE_SET_BYTES bounds
   * it. Both are absent when the file is gone from the station, and in events from stations before they were sent.
   */
  sha256: sha256.optional(),
  file: fileBytes.optional(),
});

/** A reference set the hub sent that this station did not keep (or a version it could not activate), and why. */
const referenceSetRefused = z.strictObject({
  productId: z.string().min(1),
  sha256,
  command: z.enum(['publish_reference_set', 'activate_reference_set']),
  reason: z.string().min(1),
});

/**
 * The bench check of a received reference set: the product's good images on this bench, scored and judged with it.
 * falseAlarmRate is the share judged review or fail, failRate the share judged fail; `expected` is the range the
 * band's own rates allow on this many images (95%), `atEdgeIntervals` the false-alarm rate on this bench anywhere
 * inside the review edge's bootstrap interval. Not checked (no good images here, the check failed): the reason.
 */
const referenceSetChecked = z.strictObject({
  productId: z.string().min(1),
  sha256,
  version: id,
  checked: z.boolean(),
  reason: z.string().nullable(),
  goodImages: z.number().int().nonnegative(),
  /** Local good images left out because the set was built from them (they would score as if seen). */
  inSet: z.number().int().nonnegative(),
  falseAlarmRate: rate.nullable(),
  failRate: rate.nullable(),
  expected: z.strictObject({ falseAlarmRate: rateInterval, failRate: rateInterval }).nullable(),
  atEdgeIntervals: z.strictObject({ falseAlarmRate: rateInterval, failRate: rateInterval }).nullable(),
  ok: z.boolean().nullable(),
});

const referenceSetActivated = z.strictObject({ productId: z.string().min(1), version: id, referenceSetId: id });

const selection = z.strictObject({ productId: z.string().min(1), makerId: z.string().min(1).nullable() });

const envelope = <K extends string, D extends z.ZodType>(kind: K, data: D) =>
  z.strictObject({
    v: z.literal(MESSAGE_VERSION),
    kind: z.literal(kind),
    station: stationId,
    /** The station-sequence: increasing per station, never reused. */
    seq: id,
    /** When the station committed it (ms epoch, the station's clock: for display, never for keys). */
    at: time,
    data,
  });

/** One event from a station's outbox, on its events topic. */
export const eventMessage = z.discriminatedUnion('kind', [
  envelope('inspection', inspection),
  envelope('review', review),
  envelope('review_refused', reviewRefused),
  envelope('reference_set_version', referenceSetVersion),
  envelope('reference_set_activated', referenceSetActivated),
  envelope('reference_set_refused', referenceSetRefused),
  envelope('reference_set_checked', referenceSetChecked),
  envelope('selection', selection),
]);
export type EventMessage = z.output<typeof eventMessage>;
export type EventKind = EventMessage['kind'];
export type EventData<K extends EventKind> = Extract<EventMessage, { kind: K }>['data'];

/** Retained on the status topic: the birth message on connect, the broker's last will when the station drops. */
export const statusMessage = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  station: stationId,
  online: z.boolean(),
  at: time,
});
export type StatusMessage = z.output<typeof statusMessage>;
