// The fail-safe paths of one item's turn (station/runtime/inspectItem.ts), without the whole station: a real
// SQLite store file and evidence folder, the product synced from a calibration folder, the selection and its
// reference-set cache, the real backbone with a reference set built by it, and a serial stack light on a socat
// pty pair whose far end (the "board") records every line it receives.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Backbone } from '../../models/load.ts';
import { activateVersion, refsetRelPath } from '../../station/referenceSets/versions.ts';
import type { Frame } from '../../station/capture/index.ts';
import { renderItem } from '../../station/demo/generate.ts';
import { inspectorForSet } from '../../station/engines/setInspection.ts';
import { inspectItem } from '../../station/runtime/inspectItem.ts';
import { syncProducts } from '../../station/runtime/products.ts';
import { createSelection, type Selection } from '../../station/runtime/selection.ts';
import { createStackLight, type StackLight } from '../../station/signals/stackLight.ts';
import { evidenceRoot, openStore, type Inspection, type Store } from '../../station/store/index.ts';
import { createEngine, type Engine } from '../../station/vision/engine.ts';
import { encodeReferenceSet } from '../../station/vision/referenceSet.ts';
import { PtyPeer, startPair, waitForStatus, type PtyPair } from '../signals/socatPair.ts';
import { testBackbone } from '../vision/backbone.ts';
import { memoryLog } from './harness.ts';

const PRODUCT = 'walnut-coaster';
const SIZE = 128;
// Any score passes: these tests are about what happens around the verdict, so the item itself is always good.
const BAND = { reviewAt: 1e6, failAt: 2e6 };

let backbone: Backbone;
let engine: Engine;
let refset: Uint8Array;

const image = (seed: number) => renderItem({ kind: 'wood-disc', seed, width: SIZE, height: SIZE });
const frame = (seed = 1): Frame => {
  const { rgb, width, height } = image(seed);
  return { seq: seed, capturedAt: Date.now(), width, height, channels: 3, data: Buffer.from(rgb) };
};

beforeAll(async () => {
  backbone = await testBackbone();
  engine = createEngine(backbone, { threads: 1 });
  const names = ['good-1.png', 'good-2.png', 'good-3.png'];
  const embeddings = [];
  for (const [i, name] of names.entries()) {
    const { rgb, width, height } = image(i + 1);
    embeddings.push(await engine.embed(await engine.preprocess({ name, width, height, data: rgb })));
  }
  refset = encodeReferenceSet(engine.buildReferenceSet(embeddings, names, { coresetSize: 500, seed: 0 }));
}, 240_000);

afterAll(async () => {
  await engine?.release();
  await backbone?.session.release();
});

let dir: string;
let store: Store;
let pair: PtyPair;
let board: PtyPeer;
let light: StackLight;
let log: ReturnType<typeof memoryLog>;
let announced: Inspection[];

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'station-failsafe-'));
  store = openStore(path.join(dir, 'data'));
  mkdirSync(path.join(dir, 'calibration', PRODUCT), { recursive: true });
  writeFileSync(path.join(dir, 'calibration', PRODUCT, 'product.json'), JSON.stringify({ name: 'Walnut coaster' }));
  log = memoryLog();
  syncProducts(store, path.join(dir, 'calibration'), log);
  pair = await startPair(path.join(dir, 'light'), path.join(dir, 'light-board'));
  board = new PtyPeer(pair.b);
  light = createStackLight({ path: pair.a, baudRate: 9600 }, log);
  // A line shown before the port is open is only re-sent as the last state: wait, so the board sees every line.
  await waitForStatus(light, 'connected');
  announced = [];
});

afterEach(async () => {
  await light.close();
  board.close();
  await pair.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The product's reference set v1, stored and activated as a calibration would leave it. */
function storeReferenceSet(): void {
  const filePath = refsetRelPath(PRODUCT, 1);
  mkdirSync(path.dirname(path.join(store.dataDir, filePath)), { recursive: true });
  writeFileSync(path.join(store.dataDir, filePath), refset);
  store.referenceSets.addVersion({
    productId: PRODUCT,
    version: 1,
    filePath,
    modelSha256: backbone.manifest.sha256,
    imageCount: 3,
    band: BAND,
  });
  activateVersion(store, PRODUCT, 1);
}

function selection(engineFor: () => Engine = () => engine): Selection {
  return createSelection({
    store,
    calibrationDir: path.join(dir, 'calibration'),
    inspectorFor: (set) => inspectorForSet({ engineForSet: engineFor }, set),
    productId: PRODUCT,
    makerId: null,
    products: [PRODUCT],
    log,
  });
}

/** One item's turn, as the trigger starts it; resolves with the lines the light board received. */
async function inspect(sel: Selection): Promise<string[]> {
  await inspectItem(
    { store, selection: sel, announce: (row) => void announced.push(row), show: (s) => light.show(s), log },
    frame(),
  );
  await board.waitFor((t) => t.split('\n').length > 2, 'two lines on the light');
  return board.lines();
}

const rows = () => store.inspections.list({ limit: 10 });

describe('one item on the bench, when a part fails', () => {
  it('with every part working the same item passes: recorded with its evidence, announced, PASS on the light (the baseline the failures depart from)', async () => {
    storeReferenceSet();
    expect(await inspect(selection())).toEqual(['BUSY', 'PASS']);
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toMatchObject({
      productId: PRODUCT,
      verdict: 'pass',
      error: null,
      band: BAND,
    });
    expect(rows()[0].heatmapPath).not.toBeNull();
    expect(announced.map((r) => r.id)).toEqual([rows()[0].id]);
    expect(light.state).toBe('PASS');
  });

  it('engine throws while scoring: the item is recorded unjudged with the reason, never passed, and the light shows FAULT', async () => {
    storeReferenceSet();
    const failing: Engine = {
      ...engine,
      inspectDecoded: () => Promise.reject(new Error('Non-zero status code returned while running Conv node')),
    };
    const sel = selection(() => failing);
    expect(sel.active()).not.toBeInstanceOf(Error); // the reference set loaded: the failure is the engine's

    expect(await inspect(sel)).toEqual(['BUSY', 'FAULT']);
    const [row] = rows();
    expect(rows()).toHaveLength(1);
    expect(row).toMatchObject({
      productId: PRODUCT,
      verdict: 'unjudged',
      score: null,
      heatmapPath: null,
      error: 'could not inspect: Non-zero status code returned while running Conv node',
    });
    // It names the reference set it could not be judged against, and keeps the frame as evidence.
    expect(row.referenceSetId).toBe(store.referenceSets.active(PRODUCT)!.id);
    expect(row.framePath).not.toBeNull();
    expect(announced.map((r) => r.id)).toEqual([row.id]);
    expect(log.lines).toContain(`info inspection ${row.id}: UNJUDGED — ${row.error}`);
  });

  it.each([
    [
      'the evidence folder cannot be written',
      () => {
        rmSync(evidenceRoot(store.dataDir), { recursive: true, force: true });
        writeFileSync(evidenceRoot(store.dataDir), 'a file where the evidence folder should be');
      },
      /^error inspection could not be recorded: cannot write evidence frame under .* \(ENOTDIR\)/,
    ],
    [
      'SQLite refuses the row',
      () => {
        store.db.pragma('query_only = ON');
      },
      /^error inspection could not be recorded: attempt to write a readonly database$/,
    ],
  ])(
    'recording fails (%s): the light shows FAULT, not the verdict, and nothing is announced',
    async (_what, breakRecording, logged) => {
      storeReferenceSet();
      breakRecording();
      expect(await inspect(selection())).toEqual(['BUSY', 'FAULT']);
      expect(light.state).toBe('FAULT');
      expect(announced).toEqual([]);
      expect(log.lines.filter((l) => l.startsWith('error '))).toEqual([expect.stringMatching(logged)]);
      store.db.pragma('query_only = OFF');
      expect(rows()).toEqual([]);
    },
  );

  it('no reference set for the product: the item is recorded unjudged with the reason, and the light shows FAULT', async () => {
    const sel = selection(() => {
      throw new Error('no engine is needed for a product with no reference set');
    });
    expect(await inspect(sel)).toEqual(['BUSY', 'FAULT']);
    const [row] = rows();
    expect(rows()).toHaveLength(1);
    expect(row).toMatchObject({
      productId: PRODUCT,
      verdict: 'unjudged',
      score: null,
      referenceSetId: null,
      band: null,
      heatmapPath: null,
      error: `product '${PRODUCT}' has no active reference set: run \`npm run calibrate -- ${PRODUCT}\` or calibrate it from the dashboard`,
    });
    expect(row.framePath).not.toBeNull();
    expect(announced.map((r) => r.id)).toEqual([row.id]);
  });
});
