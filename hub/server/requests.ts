/**
 * The hub API's query parameters and path segments, declared once (as the station declares its own): types,
 * defaults, ranges, unknown-parameter refusal. A refused request is a 400 with one line ("query → station: must be …").
 */
import { z } from 'zod';
import { closedObject, issueLine, mustBe } from '../../station/schema/format.ts';
import { REVIEW_ACTIONS, SHA256 } from '../../station/network/commands.ts';
import { STATION_ID } from '../../station/network/topics.ts';
import { badRequest } from '../../web/http-error.ts';

/** Query values arrive as text; a repeated parameter arrives as a list and is refused rather than guessed at. */
const queryText = z.string({ error: 'must be given once as plain text' });
/** Absent and empty (`?station=`, the filter's "all stations") both mean "not given". */
const blankAsAbsent = (v: unknown) => (v === '' ? undefined : v);
const optional = <T extends z.ZodType<unknown, string>>(value: T) =>
  z.preprocess(blankAsAbsent, queryText.pipe(value).optional());
const withDefault = <T extends z.ZodType<unknown, string>>(value: T, fallback: z.output<T>) =>
  z.preprocess(blankAsAbsent, queryText.pipe(value).default(fallback as never));

const stationId = z.string().regex(STATION_ID, { error: mustBe("a station id of letters, digits, '-' or '_'") });
const productId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: mustBe("a product id of letters, digits, '.', '_' or '-'") });
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: mustBe('a whole number') })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: mustBe(`between ${min} and ${max}`) })
        .max(max, { error: mustBe(`between ${min} and ${max}`) }),
    );

/** GET /api/review. */
export const reviewQuery = closedObject({
  station: optional(stationId),
  product: optional(productId),
  limit: withDefault(wholeNumber(1, 500), 100),
  offset: withDefault(wholeNumber(0, 1e9), 0),
});

/** GET /api/makers: the last `days` days (by the stations' clocks). */
export const makersQuery = closedObject({
  station: optional(stationId),
  product: optional(productId),
  days: withDefault(wholeNumber(1, 3650), 30),
});

/** GET /api/benches: each bench's last `window` judged items per product. */
export const benchesQuery = closedObject({
  product: optional(productId),
  window: withDefault(wholeNumber(20, 2000), 200),
});

/** GET /api/reference-sets. */
export const referenceSetsQuery = closedObject({
  station: optional(stationId),
  product: optional(productId),
});

const inspectionId = z
  .string()
  .regex(/^\d{1,15}$/, { error: mustBe('a positive whole number') })
  .transform(Number);

/** GET /api/inspections/:station/:id/:kind — an inspection's thumbnail. */
export const thumbnailParams = z.object({
  station: stationId,
  id: inspectionId,
  kind: z.enum(['frame', 'heatmap'], { error: mustBe('frame or heatmap') }),
});

/** The parsed request part, or a 400 naming the first problem: `where` is "query" or "path". */
const sha256 = z.string().regex(SHA256, { error: mustBe('a sha256 in lowercase hex') });

/** POST /api/reference-sets/publish: a set the hub holds, to these benches. */
export const publishBody = closedObject({
  sha256,
  stations: z
    .array(stationId, { error: mustBe('a list of station ids') })
    .min(1, { error: 'name at least one station' }),
});

/** POST /api/review/:station/:id — the item a lead decides. */
export const reviewParams = z.object({ station: stationId, id: inspectionId });

/** POST /api/review/:station/:id — the decision; a note needs its text (as on the station's own page). */
export const reviewDecisionBody = closedObject({
  action: z.enum(REVIEW_ACTIONS, { error: mustBe(REVIEW_ACTIONS.join(', ')) }),
  note: z
    .string({ error: mustBe('text') })
    .max(2000, { error: mustBe('at most 2000 characters') })
    .nullish(),
}).refine((b) => b.action !== 'note' || Boolean(b.note?.trim()), {
  error: "must be non-empty text for a 'note'",
  path: ['note'],
});

/** POST /api/reference-sets/activate: make this bench judge by a set it holds. */
export const activateBody = closedObject({ sha256, station: stationId });

export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw badRequest(issueLine(where, r.error));
  return r.data;
}
