// The station config file: validated on load, every error names the file and the field, and
// `npm start` turns a bad config into one line and a non-zero exit instead of a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig, parseConfig, resolvePath } from '../../station/config.ts';
import { defaultPresenceConfig } from '../../station/trigger/presence.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'station-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('station config', () => {
  it('with no file runs the embedded demo', () => {
    expect(loadConfig(undefined)).toBe(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.camera.kind).toBe('demo');
  });

  it("keeps the demo's data apart from a real bench's", () => {
    expect(DEFAULT_CONFIG.dataDir).toBe('data/demo');
    expect(parseConfig({ camera: { kind: 'demo' } }, 'inline').dataDir).toBe('data/demo');
    expect(parseConfig({ camera: { kind: 'usb', device: 0 } }, 'inline').dataDir).toBe('data');
    expect(parseConfig({}, 'inline').dataDir).toBe('data/demo'); // no camera: the demo
  });

  it('reads a real-camera bench and resolves paths against the file', () => {
    const f = file(
      'bench.json',
      JSON.stringify({
        dataDir: 'station-data',
        camera: { kind: 'usb', device: '/dev/video0', width: 1280, height: 720, fps: 30 },
        product: 'bowl',
        maker: 'ana',
        stackLight: { path: '/dev/ttyACM0' },
        barcode: {
          path: '/dev/ttyUSB0',
          baudRate: 115200,
          codes: { '4006381333931': { kind: 'product', id: 'bowl' } },
        },
        trigger: { steadyMs: 800, roi: { x: 0.1, y: 0.1, width: 0.8, height: 0.8 } },
        server: { port: 9000 },
      }),
    );
    const c = loadConfig(f);
    // The file's "usb" is the code's 'camera'.
    expect(c.camera).toEqual({
      kind: 'camera',
      device: '/dev/video0',
      width: 1280,
      height: 720,
      fps: 30,
      exposure: undefined,
    });
    expect(resolvePath(c, c.dataDir)).toBe(path.join(dir, 'station-data'));
    expect(c.stackLight).toEqual({ path: '/dev/ttyACM0', baudRate: 9600 });
    expect(c.barcode?.codes['4006381333931']).toEqual({ kind: 'product', id: 'bowl' });
    expect(c.trigger.steadyMs).toBe(800);
    expect(c.trigger.diffThreshold).toBe(DEFAULT_CONFIG.trigger.diffThreshold);
    expect(c.server).toEqual({ host: '0.0.0.0', port: 9000, secureCookies: false });
  });

  it.each([
    ['not an object', '[1,2]', /must be a JSON object/],
    ['not JSON', '{"camera": ', /is not valid JSON/],
    ['unknown field', '{"camra": {}}', /unknown field "camra"/],
    [
      'unknown camera kind',
      '{"camera": {"kind": "webcam"}}',
      /camera → kind: must be one of usb, video, folder, demo \(got "webcam"\)/,
    ],
    ['bad number', '{"server": {"port": 70000}}', /server → port: must be a number in \[0, 65535\] \(got 70000\)/],
    ['bad trigger', '{"trigger": {"steadyMs": "slow"}}', /trigger → steadyMs: must be a number/],
    [
      'bad code kind',
      '{"barcode": {"path": "/dev/ttyUSB0", "codes": {"X1": {"kind": "colour", "id": "red"}}}}',
      /codes → X1 → kind: must be product or maker/,
    ],
    ['a typo in a nested key (server)', '{"server": {"prot": 9000}}', /server: unknown field "prot"/],
    ['a typo in a nested key (trigger)', '{"trigger": {"steadyMS": 900}}', /trigger: unknown field "steadyMS"/],
    [
      'a typo in a nested key (retention)',
      '{"retention": {"evidenceDay": 30}}',
      /retention: unknown field "evidenceDay"/,
    ],
    ['a typo in the trigger region', '{"trigger": {"roi": {"x": 0, "widht": 1}}}', /roi: unknown field "widht"/],
    [
      'a typo in a serial device',
      '{"stackLight": {"path": "/dev/ttyUSB1", "baud": 9600}}',
      /stackLight: unknown field "baud"/,
    ],
    [
      'a null barcode code',
      '{"barcode": {"path": "/dev/ttyUSB0", "codes": {"123": null}}}',
      /codes → 123: must be an object like/,
    ],
    [
      'a bad trustProxy',
      '{"server": {"trustProxy": ""}}',
      /server → trustProxy: must be true, false, a number of proxy hops/,
    ],
  ])('refuses %s with a message naming the file and field', (_what, text, message) => {
    const f = file('bad.json', text);
    expect(() => loadConfig(f)).toThrow(ConfigError);
    expect(() => loadConfig(f)).toThrow(message);
    expect(() => loadConfig(f)).toThrow(f);
  });

  it('names a config file that cannot be read', () => {
    expect(() => loadConfig(path.join(dir, 'missing.json'))).toThrow(/cannot read the config file .*missing\.json/);
  });

  it('passes trustProxy on to the server: the address of a reverse proxy, or a hop count', () => {
    expect(parseConfig({ server: { trustProxy: 'loopback' } }, 'inline').server.trustProxy).toBe('loopback');
    expect(parseConfig({ server: { trustProxy: 1 } }, 'inline').server.trustProxy).toBe(1);
    expect(parseConfig({ server: {} }, 'inline').server).not.toHaveProperty('trustProxy');
  });

  it('takes the trigger defaults from the trigger, the values the station has always run with', () => {
    const { diffThreshold, presenceFraction, motionFraction, steadyMs, emptyMs } = defaultPresenceConfig;
    expect(DEFAULT_CONFIG.trigger).toEqual({ diffThreshold, presenceFraction, motionFraction, steadyMs, emptyMs });
    expect(DEFAULT_CONFIG.trigger).toEqual({
      diffThreshold: 28,
      presenceFraction: 0.02,
      motionFraction: 0.004,
      steadyMs: 400,
      emptyMs: 400,
    });
    expect(parseConfig({ trigger: { steadyMs: 800 } }, 'inline').trigger).toEqual({
      ...DEFAULT_CONFIG.trigger,
      steadyMs: 800,
    });
  });

  it('reads a field set to null as absent (its default)', () => {
    const c = parseConfig(
      { maker: null, stackLight: null, barcode: null, camera: null, trigger: null, server: { port: null } },
      'inline',
    );
    expect({ ...c, baseDir: '' }).toEqual({ ...DEFAULT_CONFIG, baseDir: '' });
  });

  it('parses a folder replay with defaults filled in', () => {
    const c = parseConfig({ camera: { kind: 'folder', path: 'items' } }, 'inline');
    expect(c.camera).toMatchObject({ kind: 'folder', path: 'items', fps: 15, loop: true });
    // No size given: the first photo's own size (see capture/folderSource.ts).
    expect(c.camera).not.toHaveProperty('width');
    expect(c.camera).not.toHaveProperty('height');
  });

  it('npm start with a bad config prints one line and exits 1', () => {
    const f = file('broken.json', '{"camera": {"kind": "usb", "device": -1}}');
    const root = path.resolve(import.meta.dirname, '..', '..');
    const r = spawnSync(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      [path.join(root, 'station', 'main.ts'), '--config', f],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/error: .*broken\.json → camera → device: must be a number in \[0, Infinity\] \(got -1\)/);
  });
});
