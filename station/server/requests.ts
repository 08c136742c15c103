/**
 * Every HTTP request's query and body, declared once: the type, the defaults, the ranges and unknown-field refusal.
 * A refused request is a 400 with one line in the shape every boundary uses ("query → limit: must be …").
 */
import { z } from 'zod';
import { closedObject, issueLine, mustBe, shown } from '../schema/format.ts';
import { reviewActions } from '../store/repositories/reviews.ts';
import { reviewStatuses, verdicts } from '../store/repositories/inspections.ts';
import { badRequest } from './http-error.ts';

export const MAX_PAGE = 500;

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_RULE = "an id of letters, digits, '.', '_' or '-' (max 64)";
const BODY_NOT_OBJECT = 'request body must be a JSON object (send Content-Type: application/json)';

/** Query values arrive as text; a repeated parameter arrives as a list and is refused rather than guessed at. */
const queryText = z.string({ error: 'must be given once as plain text' });

/** Absent and empty (`?maker=`) both mean "not given". */
const blankAsAbsent = (v: unknown) => (v === '' ? undefined : v);
const optionalQuery = <T extends z.ZodType<unknown, string>>(value: T) =>
  z.preprocess(blankAsAbsent, queryText.pipe(value).optional());
const queryWithDefault = <T extends z.ZodType<unknown, string>>(value: T, fallback: z.output<T>) =>
  z.preprocess(blankAsAbsent, queryText.pipe(value).default(fallback as never));

const id = z.string({ error: 'must be a string id' }).regex(ID, { error: mustBe(ID_RULE) });

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: mustBe('a whole number') })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: mustBe(`between ${min} and ${max}`) })
        .max(max, { error: mustBe(`between ${min} and ${max}`) }),
    );

/** A time as epoch milliseconds or an ISO 8601 date/time, as epoch ms. */
const time = z.string().transform((v, ctx) => {
  const n = /^\d+$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isFinite(n)) return n;
  ctx.addIssue({
    code: 'custom',
    message: `must be epoch milliseconds or an ISO date like 2024-05-01T08:00:00Z (got ${shown(v)})`,
  });
  return z.NEVER;
});

/** A comma-separated list of allowed values, e.g. verdict=review,fail. */
const enumList = <T extends string>(allowed: readonly T[]) =>
  z.string().transform((v, ctx) => {
    const items = v.split(',').map((s) => s.trim());
    const bad = items.find((item) => !allowed.includes(item as T));
    if (bad === undefined) return items as T[];
    ctx.addIssue({
      code: 'custom',
      message: `must be one or more of ${allowed.join(', ')} (comma-separated) (got ${shown(bad)})`,
    });
    return z.NEVER;
  });

const sinceBeforeUntil = (q: { since?: number; until?: number }) =>
  q.since === undefined || q.until === undefined || q.since < q.until;
const SINCE_RULE = { error: "must be before 'until'", path: ['since'] };

/** GET /api/inspections. `maker=none` lists items inspected with no maker selected. */
export const inspectionsQuery = closedObject({
  product: optionalQuery(id),
  maker: optionalQuery(id),
  verdict: optionalQuery(enumList(verdicts)),
  reviewStatus: optionalQuery(enumList(reviewStatuses)),
  since: optionalQuery(time),
  until: optionalQuery(time),
  limit: queryWithDefault(wholeNumber(1, MAX_PAGE), 50),
  offset: queryWithDefault(wholeNumber(0, 1e9), 0),
}).refine(sinceBeforeUntil, SINCE_RULE);

const STATS_PERIOD_MS = 30 * 86_400_000;

/** GET /api/makers/stats: the last 30 days (up to now, or to `until`) unless told otherwise. */
export const makerStatsQuery = closedObject({
  product: optionalQuery(id),
  maker: optionalQuery(id),
  since: optionalQuery(time),
  until: optionalQuery(time),
  recent: queryWithDefault(wholeNumber(5, 500), 20),
})
  .transform((q) => {
    const until = q.until ?? Date.now();
    return { ...q, until, since: q.since ?? until - STATS_PERIOD_MS };
  })
  .refine(sinceBeforeUntil, SINCE_RULE);

/** POST /api/inspections/:id/review: the decision, its note, and the review status the lead saw (checked if given). */
export const reviewBody = closedObject(
  {
    action: z.enum(reviewActions, { error: `must be one of ${reviewActions.join(', ')}` }),
    note: z.string({ error: 'must be text' }).max(2000, { error: 'must be at most 2000 characters' }).nullish(),
    seenStatus: z.enum(reviewStatuses, { error: `must be one of ${reviewStatuses.join(', ')}` }).optional(),
  },
  BODY_NOT_OBJECT,
).refine((b) => b.action !== 'note' || Boolean(b.note?.trim()), {
  error: "must be non-empty text for a 'note' review",
  path: ['note'],
});

/** POST /api/select: a product, a maker (null clears it), or both. */
export const selectBody = closedObject(
  {
    productId: id.nullish(),
    makerId: id.nullable().optional(),
  },
  BODY_NOT_OBJECT,
).refine((b) => b.productId != null || b.makerId !== undefined, {
  error: "send 'productId' and/or 'makerId' (null clears the maker)",
});

/** POST /api/reference-sets/:product/activate. */
export const activateBody = closedObject(
  { version: z.number({ error: 'must be a whole number ≥ 1' }).int({ error: 'must be a whole number ≥ 1' }).min(1) },
  BODY_NOT_OBJECT,
);

/** A numeric path segment such as an inspection id. */
export const pathNumber = z
  .string()
  .regex(/^\d{1,15}$/, { error: 'must be a positive whole number' })
  .transform(Number);

/** A path segment that names a product or maker. */
export const pathId = id;

/** The parsed request part, or a 400 naming the first problem: `where` is "query", "body" or the segment's name. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw badRequest(issueLine(where, r.error));
  return r.data;
}
