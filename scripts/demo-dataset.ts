/**
 * npm run demo:dataset -- <out-dir> [--items N]
 *
 * Writes the demo glazed-tile product as an MVTec-layout category under <out-dir>/demo-tile, for
 * `npm run eval -- <out-dir>`: the quickest check of how a backbone treats the demo's defects.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_PRODUCT, DEMO_SAMPLE } from '../station/demo/demoStation.ts';
import { writeDemoDataset } from './lib/demoDataset.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { items: { type: 'string' } } });
const items = Number(values.items ?? 48);
if (positionals.length !== 1 || !Number.isInteger(items) || items < 3) {
  console.error('usage: npm run demo:dataset -- <out-dir> [--items N]   (N ≥ 3: a defect at every third item)');
  process.exit(2);
}
const dir = path.join(positionals[0], DEMO_PRODUCT);
if (existsSync(dir)) {
  console.error(`${dir} exists already: choose another folder (nothing was written)`);
  process.exit(2);
}
await writeDemoDataset(dir, items);
console.log(
  `wrote ${dir}: ${DEMO_SAMPLE.goodCount} good for train, ${items} test items; run: npm run eval -- ${positionals[0]}`,
);
