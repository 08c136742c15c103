/**
 * The bench under load, as `npm start` composes it: capture-to-verdict (the steady frame → verdict committed) over
 * a looping replay while the bench is idle, while a lead recalibrates a 200-image product from the dashboard, and
 * while 300 wrong logins arrive at once. The live path must come first: p95 during each load ≤ 1.5× idle, and no
 * "camera lost".
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Station } from '../station/app.ts';
import { writeSampleProduct } from '../station/demo/generate.ts';
import { hashPassword } from '../web/auth/passwords.ts';
import { percentile } from '../station/vision/metrics.ts';
import { startBenchStation } from './lib/benchStation.ts';

export interface LoadFigures {
  phase: string;
  items: number;
  p50: number;
  p95: number;
  cameraLost: number;
  note: string;
}

const PASSWORD = 'bench-load-password';

/** A browser-like client: cookie, CSRF token, JSON. */
class Lead {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}
  async request(method: string, url: string, body?: unknown): Promise<Response> {
    const res = await fetch(new URL(url, this.base), {
      method,
      headers: {
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        'Content-Type': 'application/json',
        ...(this.csrf ? { 'X-CSRF-Token': this.csrf } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return res;
  }
  async login(name: string, password: string): Promise<number> {
    this.csrf = ((await (await this.request('GET', '/api/session')).json()) as { csrfToken: string }).csrfToken;
    const res = await this.request('POST', '/api/login', { name, password });
    if (res.ok) this.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
    return res.status;
  }
}

/** Capture-to-verdict of the next `n` inspections (or until `until` resolves, at least `n`), and camera losses meanwhile. */
async function measure(station: Station, n: number, until?: Promise<unknown>): Promise<{ ms: number[]; lost: number }> {
  const ms: number[] = [];
  let lost = 0;
  const onLost = () => {
    lost++;
  };
  station.source.on('lost', onLost);
  let finished = until === undefined;
  void until?.finally(() => {
    finished = true;
  });
  await new Promise<void>((resolve) => {
    station.onInspection((_row, frame) => {
      if (ms.length >= n && finished) return;
      ms.push(Date.now() - frame.capturedAt);
      if (ms.length >= n && finished) resolve();
    });
    void until?.finally(() => {
      if (ms.length >= n) resolve();
    });
  });
  station.source.off('lost', onLost);
  return { ms, lost };
}

export async function benchUnderLoad(items: number): Promise<LoadFigures[]> {
  const bench = await startBenchStation({
    // Items every 4 s, as at a real bench.
    replay: { fps: 15, holdMs: 2500, gapMs: 1500 },
    trigger: { steadyMs: 250, emptyMs: 250 },
    prepare: async (demo) => {
      console.log('  writing a 200-image product to recalibrate …');
      const big = path.join(demo.calibrationDir, 'big-batch');
      await writeSampleProduct(big, { kind: 'glazed-tile', goodCount: 200, defectCount: 0, seed: 11, size: 512 });
      writeFileSync(path.join(big, 'product.json'), JSON.stringify({ name: 'Big batch' }));
    },
  });
  const { station } = bench;
  try {
    station.store.users.create({ name: 'lead', passwordHash: await hashPassword(PASSWORD), role: 'lead' });
    const lead = new Lead(station.url);
    if ((await lead.login('lead', PASSWORD)) !== 200) throw new Error('bench: the lead could not sign in');
    const out: LoadFigures[] = [];
    const add = (phase: string, m: { ms: number[]; lost: number }, note: string) =>
      out.push({
        phase,
        items: m.ms.length,
        p50: percentile(m.ms, 50),
        p95: percentile(m.ms, 95),
        cameraLost: m.lost,
        note,
      });

    console.log(`  idle: ${items} items …`);
    add('idle', await measure(station, items), '');

    console.log('  recalibrating 200 images from the dashboard …');
    const t0 = performance.now();
    if ((await lead.request('POST', '/api/reference-sets/big-batch/calibrate')).status !== 202)
      throw new Error('bench: calibration did not start');
    const done = (async () => {
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        const s = (await (await lead.request('GET', '/api/reference-sets/big-batch')).json()) as {
          calibration: unknown;
        };
        if (s.calibration === null) return;
      }
    })();
    const during = await measure(station, items, done);
    add('during a 200-image calibration', during, `calibration took ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    console.log('  300 wrong logins at once …');
    const flood = Promise.all(
      Array.from({ length: 300 }, () => new Lead(station.url).login('lead', 'not-the-password')),
    );
    const statuses = flood.then((s) => {
      const counts: Record<number, number> = {};
      for (const x of s) counts[x] = (counts[x] ?? 0) + 1;
      return counts;
    });
    const underFlood = await measure(station, Math.min(items, 10), flood);
    add(
      'during 300 parallel wrong logins',
      underFlood,
      `answers ${Object.entries(await statuses)
        .map(([k, v]) => `${k}×${v}`)
        .join(', ')}`,
    );
    return out;
  } finally {
    await bench.close();
  }
}

export function printUnderLoad(rows: LoadFigures[]): void {
  const idle = rows[0];
  console.log('capture-to-verdict under load (the live path first: p95 ≤ 1.5× idle, no camera lost):');
  for (const r of rows) {
    console.log(
      `  ${r.phase.padEnd(34)} ${String(r.items).padStart(4)} items   p50 ${r.p50.toFixed(0).padStart(5)} ms   p95 ${r.p95.toFixed(0).padStart(5)} ms` +
        `   ×${(r.p95 / idle.p95).toFixed(2)} idle p95   camera lost ${r.cameraLost}${r.note ? `   (${r.note})` : ''}`,
    );
  }
}
