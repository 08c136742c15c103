// The one configuration object that drives the station. Loaded from a JSON file (documented in
// README "Configuration"); with no file, the embedded demo runs. Every field is checked on load
// and an error names the file and the field.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_BACKBONE, generatedManifestPath } from '../models/load.ts';

export type CameraConfig =
  | { kind: 'usb'; device: number | string; width?: number; height?: number; fps?: number; exposure?: number }
  | { kind: 'video'; path: string; loop: boolean; fps?: number }
  | { kind: 'folder'; path: string; width?: number; height?: number; fps: number; holdMs: number; gapMs: number; emptyBench?: string; loop: boolean }
  /** Generated sample items replayed through the folder source: the embedded default. */
  | { kind: 'demo'; holdMs: number; gapMs: number };

export interface TriggerConfig {
  /** Difference in any colour channel (0..255) that counts a thumbnail pixel as changed. */
  diffThreshold: number;
  /** Share of the inspection area that must differ from the empty bench for "item present". */
  presenceFraction: number;
  /** Share of pixels allowed to change between frames while "still". */
  motionFraction: number;
  steadyMs: number;
  emptyMs: number;
  /** Inspection area in frame-normalised coordinates (0..1); whole frame when absent. */
  roi?: { x: number; y: number; width: number; height: number };
}

export interface SerialConfig {
  path: string;
  baudRate: number;
}

export interface StationConfig {
  /** Folder of the file this config came from; relative paths resolve against it. */
  baseDir: string;
  dataDir: string;
  calibrationDir: string;
  /** Manifest of the backbone (models/generated/<id>.json). */
  model: string;
  camera: CameraConfig;
  trigger: TriggerConfig;
  product: string;
  maker: string | null;
  stackLight: SerialConfig | null;
  barcode: (SerialConfig & { codes: Record<string, { kind: 'product' | 'maker'; id: string }> }) | null;
  /** trustProxy: see trustProxy() below (absent: no proxy is trusted). */
  server: { host: string; port: number; secureCookies: boolean; trustProxy?: boolean | number | string };
  retention: { evidenceDays: number };
}

const projectRoot = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** A real bench's data folder when its config names none. */
export const BENCH_DATA_DIR = 'data';
/** The demo's own data folder: trying the demo first leaves no demo product in a real bench's records. */
export const DEMO_DATA_DIR = 'data/demo';

export const DEFAULT_CONFIG: StationConfig = {
  baseDir: projectRoot,
  dataDir: DEMO_DATA_DIR,
  calibrationDir: 'calibration',
  model: generatedManifestPath(DEFAULT_BACKBONE),
  camera: { kind: 'demo', holdMs: 2500, gapMs: 1500 },
  trigger: { diffThreshold: 28, presenceFraction: 0.02, motionFraction: 0.004, steadyMs: 400, emptyMs: 400 },
  product: 'demo-tile',
  maker: null,
  stackLight: null,
  barcode: null,
  server: { host: '0.0.0.0', port: 8080, secureCookies: false },
  retention: { evidenceDays: 90 },
};

export class ConfigError extends Error {}

type Json = Record<string, unknown>;

/** Reads one field with its type checked; `where` names the file and field in every message. */
class Fields {
  constructor(private readonly obj: Json, private readonly where: string) {}
  fail(key: string, want: string): never {
    throw new ConfigError(`${this.where}: "${key}" must be ${want} (got ${JSON.stringify(this.obj[key])})`);
  }
  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }
  raw(key: string): unknown {
    return this.obj[key];
  }
  keys(): string[] {
    return Object.keys(this.obj);
  }
  num(key: string, dflt: number, min = -Infinity, max = Infinity): number {
    const v = this.obj[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) this.fail(key, `a number in [${min}, ${max}]`);
    return v;
  }
  str(key: string, dflt?: string): string {
    const v = this.obj[key] ?? dflt;
    if (typeof v !== 'string' || v === '') this.fail(key, 'a non-empty string');
    return v;
  }
  bool(key: string, dflt: boolean): boolean {
    const v = this.obj[key] ?? dflt;
    if (typeof v !== 'boolean') this.fail(key, 'true or false');
    return v;
  }
  obj_(key: string): Fields | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(key, 'an object');
    return new Fields(v as Json, `${this.where} → ${key}`);
  }
  unknownKeys(allowed: string[]): void {
    for (const k of Object.keys(this.obj)) {
      if (!allowed.includes(k)) throw new ConfigError(`${this.where}: unknown field "${k}" (allowed: ${allowed.join(', ')})`);
    }
  }
}

function camera(f: Fields | null, d: CameraConfig): CameraConfig {
  if (!f) return d;
  const kind = f.str('kind');
  switch (kind) {
    case 'usb': {
      f.unknownKeys(['kind', 'device', 'width', 'height', 'fps', 'exposure']);
      const device = typeof f.raw('device') === 'number' ? f.num('device', 0, 0) : f.str('device');
      const opt = (k: string) => (f.has(k) ? f.num(k, 0, 0) : undefined);
      return { kind, device, width: opt('width'), height: opt('height'), fps: opt('fps'), exposure: f.has('exposure') ? f.num('exposure', 0) : undefined };
    }
    case 'video':
      f.unknownKeys(['kind', 'path', 'loop', 'fps']);
      return { kind, path: f.str('path'), loop: f.bool('loop', true), fps: f.has('fps') ? f.num('fps', 0, 1, 240) : undefined };
    case 'folder':
      f.unknownKeys(['kind', 'path', 'width', 'height', 'fps', 'holdMs', 'gapMs', 'emptyBench', 'loop']);
      return {
        kind,
        path: f.str('path'),
        // Absent: the first photo's own size (see capture/folderSource.ts); photos are never cropped.
        width: f.has('width') ? f.num('width', 0, 32, 8192) : undefined,
        height: f.has('height') ? f.num('height', 0, 32, 8192) : undefined,
        fps: f.num('fps', 15, 1, 120),
        holdMs: f.num('holdMs', 2500, 50),
        gapMs: f.num('gapMs', 1500, 0),
        emptyBench: f.has('emptyBench') ? f.str('emptyBench') : undefined,
        loop: f.bool('loop', true),
      };
    case 'demo':
      f.unknownKeys(['kind', 'holdMs', 'gapMs']);
      return { kind, holdMs: f.num('holdMs', 2500, 50), gapMs: f.num('gapMs', 1500, 0) };
    default:
      return f.fail('kind', 'one of usb, video, folder, demo');
  }
}

function serial(f: Fields | null, extra: string[] = []): SerialConfig | null {
  f?.unknownKeys(['path', 'baudRate', ...extra]);
  return f ? { path: f.str('path'), baudRate: f.num('baudRate', 9600, 300, 4_000_000) } : null;
}

/**
 * Express's "trust proxy": false (the default: the client's own address counts), true, a hop count, or addresses
 * (e.g. "loopback" or "10.0.0.1") of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.
 */
function trustProxy(s: Fields): boolean | number | string {
  const v = s.raw('trustProxy');
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return s.num('trustProxy', 0, 0, 10);
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return s.fail('trustProxy', 'true, false, a number of proxy hops, or the proxies\' addresses (e.g. "loopback")');
}

/** Validates a parsed config object; `source` names it in errors. */
export function parseConfig(raw: unknown, source: string, baseDir = projectRoot): StationConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${source}: the config must be a JSON object`);
  const f = new Fields(raw as Json, source);
  f.unknownKeys(['dataDir', 'calibrationDir', 'model', 'camera', 'trigger', 'product', 'maker', 'stackLight', 'barcode', 'server', 'retention']);
  const d = DEFAULT_CONFIG;
  const t = f.obj_('trigger');
  const s = f.obj_('server');
  const b = f.obj_('barcode');
  t?.unknownKeys(['diffThreshold', 'presenceFraction', 'motionFraction', 'steadyMs', 'emptyMs', 'roi']);
  s?.unknownKeys(['host', 'port', 'secureCookies', 'trustProxy']);
  const roi = t?.obj_('roi');
  roi?.unknownKeys(['x', 'y', 'width', 'height']);
  const retention = f.obj_('retention');
  retention?.unknownKeys(['evidenceDays']);
  const trigger: TriggerConfig = t
    ? {
        diffThreshold: t.num('diffThreshold', d.trigger.diffThreshold, 1, 255),
        presenceFraction: t.num('presenceFraction', d.trigger.presenceFraction, 0.0001, 1),
        motionFraction: t.num('motionFraction', d.trigger.motionFraction, 0, 1),
        steadyMs: t.num('steadyMs', d.trigger.steadyMs, 0),
        emptyMs: t.num('emptyMs', d.trigger.emptyMs, 0),
        roi: roi ? { x: roi.num('x', 0, 0, 1), y: roi.num('y', 0, 0, 1), width: roi.num('width', 1, 0.01, 1), height: roi.num('height', 1, 0.01, 1) } : undefined,
      }
    : d.trigger;
  let codes: Record<string, { kind: 'product' | 'maker'; id: string }> = {};
  const codesF = b?.obj_('codes');
  if (codesF) {
    codes = {};
    for (const code of codesF.keys()) {
      const c = codesF.obj_(code);
      if (!c) throw new ConfigError(`${source} → barcode → codes → ${code}: must be an object like {"kind": "product", "id": "bowl"}`);
      c.unknownKeys(['kind', 'id']);
      const kind = c.str('kind');
      if (kind !== 'product' && kind !== 'maker') throw new ConfigError(`${source} → barcode → codes → ${code}: "kind" must be product or maker`);
      codes[code] = { kind, id: c.str('id') };
    }
  }
  const cam = camera(f.obj_('camera'), d.camera);
  return {
    baseDir,
    dataDir: f.str('dataDir', cam.kind === 'demo' ? DEMO_DATA_DIR : BENCH_DATA_DIR),
    calibrationDir: f.str('calibrationDir', d.calibrationDir),
    model: f.str('model', d.model),
    camera: cam,
    trigger,
    product: f.str('product', d.product),
    maker: f.has('maker') && f.raw('maker') !== null ? f.str('maker') : null,
    stackLight: serial(f.obj_('stackLight')),
    barcode: b ? { ...serial(b, ['codes'])!, codes } : null,
    server: s
      ? {
          host: s.str('host', d.server.host), port: s.num('port', d.server.port, 0, 65535), secureCookies: s.bool('secureCookies', false),
          ...(s.has('trustProxy') ? { trustProxy: trustProxy(s) } : {}),
        }
      : d.server,
    retention: { evidenceDays: retention?.num('evidenceDays', 90, 1) ?? d.retention.evidenceDays },
  };
}

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
