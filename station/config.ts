// The one configuration object that drives the station. Loaded from a JSON file (documented in
// README "Configuration"); with no file, the embedded demo runs. One zod schema declares every field with its
// default and range, refuses unknown fields at every level, and an error names the file and the field.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_BACKBONE, generatedManifestPath } from '../models/load.ts';
import { closedObject, issueLine, mustBe, shown } from './schema/format.ts';
import type { CameraKind } from './shared/domain.d.ts';
import { STATION_ID } from './network/topics.ts';
import { defaultPresenceConfig } from './trigger/presence.ts';

const projectRoot = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** A real bench's data folder when its config names none. */
export const BENCH_DATA_DIR = 'data';
/** The demo's own data folder: trying the demo first leaves no demo product in a real bench's records. */
export const DEMO_DATA_DIR = 'data/demo';

export class ConfigError extends Error {}

/** A number in [min, max]; the message gives the range as written in the file. */
function num(min = -Infinity, max = Infinity) {
  const n = z.number({ error: mustBe(`a number in [${min}, ${max}]`) });
  return n.min(min).max(max);
}
const text = () => z.string({ error: mustBe('a non-empty string') }).min(1);
const bool = () => z.boolean({ error: mustBe('true or false') });

/** Drops the fields set to null: `"maker": null` or `"stackLight": null` mean "none", i.e. the default. */
const withoutNulls = (v: unknown) =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null))
    : v;

/** A closed section of the file whose null fields count as absent. */
const section = <S extends z.core.$ZodLooseShape>(shape: S, notAnObject?: string) =>
  z.preprocess(withoutNulls, closedObject(shape, notAnObject));

/** The camera kinds as a config file writes them; "usb" is read as 'camera' just below (see CameraKind). */
const KINDS = ['usb', 'video', 'folder', 'demo'] as const;
const camera = z.preprocess(
  withoutNulls,
  z.discriminatedUnion(
    'kind',
    [
      closedObject({
        kind: z.literal('usb'),
        // A device index (0, 1, …) or a device path such as /dev/video0.
        device: z.union([num(0), text()], { error: mustBe('a number in [0, Infinity] or a non-empty string') }),
        width: num(0).optional(),
        height: num(0).optional(),
        fps: num(0).optional(),
        exposure: num().optional(),
      }).transform((c) => ({ ...c, kind: 'camera' as const })),
      closedObject({ kind: z.literal('video'), path: text(), loop: bool().default(true), fps: num(1, 240).optional() }),
      closedObject({
        kind: z.literal('folder'),
        path: text(),
        // Absent: the first photo's own size (see capture/folderSource.ts); photos are never cropped.
        width: num(32, 8192).optional(),
        height: num(32, 8192).optional(),
        fps: num(1, 120).default(15),
        holdMs: num(50).default(2500),
        gapMs: num(0).default(1500),
        emptyBench: text().optional(),
        loop: bool().default(true),
      }),
      /** Generated sample items replayed through the folder source: the embedded default. */
      closedObject({ kind: z.literal('demo'), holdMs: num(50).default(2500), gapMs: num(0).default(1500) }),
    ],
    {
      error: (iss) => {
        if (iss.code !== 'invalid_union') return `must be an object (got ${shown(iss.input)})`;
        const kind = (iss.input as { kind?: unknown } | undefined)?.kind;
        return `must be one of ${KINDS.join(', ')} (got ${shown(kind)})`;
      },
    },
  ),
);

const trigger = section({
  /** Difference in any colour channel (0..255) that counts a thumbnail pixel as changed. */
  diffThreshold: num(1, 255).default(defaultPresenceConfig.diffThreshold),
  /** Share of the inspection area that must differ from the empty bench for "item present". */
  presenceFraction: num(0.0001, 1).default(defaultPresenceConfig.presenceFraction),
  /** Share of pixels allowed to change between frames while "still". */
  motionFraction: num(0, 1).default(defaultPresenceConfig.motionFraction),
  steadyMs: num(0).default(defaultPresenceConfig.steadyMs),
  emptyMs: num(0).default(defaultPresenceConfig.emptyMs),
  /** Inspection area in frame-normalised coordinates (0..1); whole frame when absent. */
  roi: section({
    x: num(0, 1).default(0),
    y: num(0, 1).default(0),
    width: num(0.01, 1).default(1),
    height: num(0.01, 1).default(1),
  }).optional(),
});

const serialShape = { path: text(), baudRate: num(300, 4_000_000).default(9600) };

const barcodeCode = closedObject(
  {
    kind: z.enum(['product', 'maker'], { error: mustBe('product or maker') }),
    id: text(),
  },
  'must be an object like {"kind": "product", "id": "bowl"}',
);

/**
 * Express's "trust proxy": false (the default: the client's own address counts), true, a hop count, or addresses
 * (e.g. "loopback" or "10.0.0.1") of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.
 */
const proxies = mustBe(`true, false, a number of proxy hops, or the proxies' addresses (e.g. "loopback")`);
const trustProxy = z.union([z.boolean(), num(0, 10), z.string({ error: proxies }).trim().min(1)], { error: proxies });

const server = section({
  host: text().default('0.0.0.0'),
  port: num(0, 65535).default(8080),
  secureCookies: bool().default(false),
  /** Absent: no proxy is trusted. */
  trustProxy: trustProxy.optional(),
});

/** The workshop network (absent: a bench on its own). Credentials are the station's own on the broker. */
const network = section({
  /** This bench's id on the network: its branch on the broker and its name on the hub. */
  station: z.string({ error: mustBe('a station id') }).regex(STATION_ID, {
    error: mustBe("a station id: 1 to 64 letters, digits, '-' or '_'"),
  }),
  /** mqtt://host:port, or mqtts://host:port for TLS. */
  broker: z.string({ error: mustBe('an mqtt:// or mqtts:// URL') }).regex(/^mqtts?:\/\/[^\s/]+/, {
    error: mustBe('an mqtt:// or mqtts:// URL'),
  }),
  /** Absent: the station id. */
  username: text().optional(),
  /** A file holding the broker password, so the config can be shared without it. */
  passwordFile: text(),
  /** PEM of the authority that signed the broker's certificate, for mqtts:// with a private authority. */
  caFile: text().optional(),
});

/** Nightly backups of the SQLite record and the reference sets (absent: none; `npm run backup` still works). */
const backup = section({
  /** Where the backups go: best another disk than the data folder's. */
  folder: text(),
  /** Backups older than this many days are removed after each new one (the newest is always kept). */
  keepDays: num(1, 3650).default(14),
  /** Local time of day of the nightly backup, "HH:MM". */
  at: z
    .string({ error: mustBe('a time of day like "02:30"') })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: mustBe('a time of day like "02:30"') })
    .default('02:30'),
});

/** The station config file, every default included (documented in README "Configuration"). */
const configFile = section(
  {
    /** Absent: data/demo for the demo, data for a real bench (see parseConfig). */
    dataDir: text().optional(),
    calibrationDir: text().default('calibration'),
    /** Manifest of the backbone (models/generated/<id>.json). */
    model: text().default(generatedManifestPath(DEFAULT_BACKBONE)),
    camera: camera.prefault({ kind: 'demo' }),
    trigger: trigger.prefault({}),
    product: text().default('demo-tile'),
    maker: text().nullable().default(null),
    stackLight: section(serialShape).nullable().default(null),
    barcode: section({ ...serialShape, codes: z.record(z.string(), barcodeCode).default({}) })
      .nullable()
      .default(null),
    server: server.prefault({}),
    retention: section({ evidenceDays: num(1).default(90) }).prefault({}),
    network: network.nullable().default(null),
    backup: backup.nullable().default(null),
  },
  'must be a JSON object',
).transform(({ dataDir, ...c }) => ({
  ...c,
  dataDir: dataDir ?? (c.camera.kind === 'demo' ? DEMO_DATA_DIR : BENCH_DATA_DIR),
}));

export type StationConfig = z.output<typeof configFile> & {
  /** Folder of the file this config came from; relative paths resolve against it. */
  baseDir: string;
};
export type CameraConfig = StationConfig['camera'];
// The parsed kinds are the domain's, no more and no fewer: this line stops compiling when the two drift apart.
const _kindsMatch: [CameraConfig['kind'], CameraKind] extends [CameraKind, CameraConfig['kind']] ? true : never = true;
export type TriggerConfig = StationConfig['trigger'];
export type SerialConfig = NonNullable<StationConfig['stackLight']>;

/** Validates a parsed config object; `source` names it in errors. */
export function parseConfig(raw: unknown, source: string, baseDir = projectRoot): StationConfig {
  const r = configFile.safeParse(raw);
  if (!r.success) throw new ConfigError(issueLine(source, r.error));
  return { baseDir, ...r.data };
}

/** The embedded demo: what an empty config file gives. */
export const DEFAULT_CONFIG: StationConfig = parseConfig({}, 'the default config');

/** Loads the config file, or the embedded default when `path` is undefined. */
export function loadConfig(path: string | undefined): StationConfig {
  if (!path) return DEFAULT_CONFIG;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the config file ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, path, dirname(resolve(path)));
}

/** A config path resolved against the folder of the config file. */
export function resolvePath(config: StationConfig, p: string): string {
  return isAbsolute(p) ? p : join(config.baseDir, p);
}
