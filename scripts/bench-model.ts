/**
 * Backbone latency: `tsx scripts/bench-model.ts [--runs 30] [--threads 2] [--spin] [--cost] [manifest.json ...]`.
 * For each model: file size, session load time, p50/p95 of one forward pass on a single image at 224×224
 * (and at the model's own size when that differs). Defaults to the prepared models in models/generated/.
 * --cost also measures each model's capture-to-score cost model on this machine (for models/sources.json "cost"
 * when this machine is the reference bench) beside the one its manifest holds.
 */
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { generatedManifestPath, loadBackbone } from '../models/load.ts';
import { readSources } from '../models/prepare.ts';
import { KNN_MS_PER_PATCH_ROW } from '../station/calibrate/tune/cost.ts';
import { measureCaptureCost } from '../station/calibrate/tune/measureCost.ts';

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

async function timeRuns(session: ort.InferenceSession, input: string, size: number, runs: number) {
  const data = new Float32Array(3 * size * size);
  for (let i = 0; i < data.length; i++) data[i] = (i % 251) / 251;
  const feeds = { [input]: new ort.Tensor('float32', data, [1, 3, size, size]) };
  for (let i = 0; i < 3; i++) await session.run(feeds); // warm-up: first runs allocate
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '30' },
      threads: { type: 'string', default: '2' },
      spin: { type: 'boolean', default: false },
      cost: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const threads = Number(values.threads);
  const manifests = positionals.length
    ? positionals
    : Object.keys(readSources()).map((id) => generatedManifestPath(id));
  console.log(
    `# backbone latency, 1 image, ORT CPU, ${threads} intra-op threads (spinning ${values.spin ? 'on' : 'off'}), ${runs} runs after 3 warm-up`,
  );
  console.log(
    `# ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('| model | file MB | load ms | input | p50 ms | p95 ms | taps |');
  console.log('|---|---|---|---|---|---|---|');
  for (const path of manifests) {
    const t0 = performance.now();
    const { session, manifest, file } = await loadBackbone(path, {
      intraOpNumThreads: threads,
      allowSpinning: values.spin,
    });
    const loadMs = performance.now() - t0;
    const mb = (statSync(file).size / 1e6).toFixed(1);
    const sizes = manifest.input.dynamicSize ? [...new Set([224, manifest.input.size])] : [manifest.input.size];
    for (const size of sizes) {
      const { p50, p95 } = await timeRuns(session, manifest.input.name, size, runs);
      const taps = manifest.taps.map((t) => `${t.name}/${t.stride}`).join(' ');
      console.log(
        `| ${manifest.id} | ${mb} | ${loadMs.toFixed(0)} | ${size}×${size} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${taps} |`,
      );
    }
    if (values.cost) {
      const c = await measureCaptureCost({ session, manifest });
      const held = manifest.cost ? `${manifest.cost.fixedMs} + ${manifest.cost.msPerMegapixel}/MP` : 'none';
      console.log(
        `|   cost here: ${c.fixedMs.toFixed(1)} ms + ${c.msPerMegapixel.toFixed(0)} ms/MP (manifest: ${held}), kNN ${(c.knnMsPerPatchRow * 1e6).toFixed(2)} ns per patch × bank row (tuner: ${(KNN_MS_PER_PATCH_ROW * 1e6).toFixed(2)}) | | | | | | |`,
      );
    }
    await session.release();
  }
}

main().catch((err) => {
  process.stderr.write(`bench-model: ${(err as Error).message}\n`);
  process.exit(1);
});
