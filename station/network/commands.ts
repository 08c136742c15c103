/**
 * What the hub sends one station, on that station's commands topic (the only topic a station reads), version 1: one
 * schema per command, shared by the hub that sends and the station that obeys. A station answers with events on its
 * own topic (reference_set_version, reference_set_refused, reference_set_checked, reference_set_activated; review or
 * review_refused), never with a reply on the commands topic, so every answer goes through its outbox and survives an
 * outage.
 */
import { z } from 'zod';

export const COMMAND_VERSION = 1;

/** A reference set is named across stations by its file's sha256 (versions are numbered per station). */
export const SHA256 = /^[0-9a-f]{64}$/;
const sha256 = z.string().regex(SHA256, 'a sha256 in lowercase hex');
const productId = z.string().min(1);

/**
 * The largest reference-set file the network carries. The file travels base64 inside one MQTT message (a third
 * larger): Mosquitto's default message_size_limit is 0 (MQTT's own 256 MB), so this cap, not the broker, decides. The
 * default coreset (10 000 patches × 128 dimensions) makes a file of about 5 MB, 7 MB on the wire.
 */
export const MAX_REFERENCE_SET_BYTES = 64 * 1024 * 1024;

/** Bytes as they travel in a JSON message. */
export const fileBytes = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
  .max(Math.ceil(MAX_REFERENCE_SET_BYTES / 3) * 4, `at most ${MAX_REFERENCE_SET_BYTES} bytes once decoded`);

const publishReferenceSet = z.strictObject({
  productId,
  sha256,
  /** The source version's band, for the station's log; the file's own band (under its checksum) is what judges. */
  band: z.strictObject({ reviewAt: z.number(), failAt: z.number() }),
  /** The backbone the set was built with, so a station that lacks it can say so. */
  backbone: z.strictObject({ id: z.string().nullable(), sha256: z.string().min(1) }),
  /** The .refset file, base64. */
  file: fileBytes,
});

const activateReferenceSet = z.strictObject({ productId, sha256 });

/** The review actions, as the station's store names them (store/repositories/reviews.ts). */
export const REVIEW_ACTIONS = ['confirm_defect', 'accept_good', 'note'] as const;
/** A hub lead's name as the station records it: the station's history shows the decision came from the hub. */
export const hubUserName = (lead: string) => `${lead}@hub`;

/**
 * A lead's decision taken on the hub's Review page. The station applies it as a decision on its own Review page,
 * by "<lead>@hub", and only for an item still waiting as the lead saw it (review status pending): one decided at
 * the bench meanwhile is refused, never overwritten.
 */
const reviewDecision = z
  .strictObject({
    inspectionId: z.number().int().positive(),
    action: z.enum(REVIEW_ACTIONS),
    note: z.string().max(2000).nullable(),
    lead: z.string().min(1).max(64),
    /** When the lead decided (the hub's clock, for logs). */
    decidedAt: z.number().int().nonnegative(),
  })
  .refine((d) => d.action !== 'note' || Boolean(d.note?.trim()), { error: 'a note needs its text', path: ['note'] });

const command = <K extends string, D extends z.ZodType>(kind: K, data: D) =>
  z.strictObject({
    v: z.literal(COMMAND_VERSION),
    kind: z.literal(kind),
    /** When the hub sent it (ms epoch, the hub's clock: for logs, never for keys). */
    at: z.number().int().nonnegative(),
    data,
  });

export const commandMessage = z.discriminatedUnion('kind', [
  command('publish_reference_set', publishReferenceSet),
  command('activate_reference_set', activateReferenceSet),
  command('review_decision', reviewDecision),
]);
export type CommandMessage = z.output<typeof commandMessage>;
export type CommandKind = CommandMessage['kind'];
export type CommandData<K extends CommandKind> = Extract<CommandMessage, { kind: K }>['data'];
