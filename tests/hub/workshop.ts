// A small workshop as its stations would send it, recorded through the hub's own recording functions: three benches
// making mugs (bench-3's light has drifted: its good items score higher), a few bowls, borderline items with
// thumbnails (real JPEGs), one of them already decided, reference-set versions and which one each bench runs.
import type { Pool } from 'pg';
import sharp from 'sharp';
import { recordEvent, recordStatus } from '../../hub/db/record.ts';
import type { EventData, EventMessage } from '../../station/network/messages.ts';
import { createRng } from '../../station/shared/random.ts';

export const BAND = { reviewAt: 14, failAt: 17 };
/** Two days ago: inside every period the pages offer. */
export const T0 = Date.now() - 2 * 86_400_000;
const MINUTE = 60_000;

export interface FixtureInspection {
  station: string;
  id: number;
  productId: string;
  makerId: string | null;
  score: number | null;
  verdict: 'pass' | 'review' | 'fail' | 'unjudged';
  reviewStatus: 'none' | 'pending' | 'accepted_good';
  thumbs: boolean;
}

const verdictOf = (score: number) => (score > BAND.failAt ? 'fail' : score > BAND.reviewAt ? 'review' : 'pass');

export const jpeg = (r: number, g: number, b: number) =>
  sharp({ create: { width: 48, height: 36, channels: 3, background: { r, g, b } } })
    .jpeg()
    .toBuffer();

/** Each bench's stream of events, in station-sequence order. */
class Bench {
  seq = 0;
  inspectionId = 0;
  readonly events: EventMessage[] = [];
  constructor(readonly station: string) {}

  private push<K extends EventMessage['kind']>(kind: K, data: EventData<K>, at: number): void {
    this.seq++;
    this.events.push({ v: 1, kind, station: this.station, seq: this.seq, at, data } as EventMessage);
  }

  inspect(i: Omit<FixtureInspection, 'station' | 'id'>, at: number, thumbnails: { frame?: string; heatmap?: string }) {
    this.inspectionId++;
    this.push(
      'inspection',
      {
        id: this.inspectionId,
        inspectedAt: at,
        productId: i.productId,
        makerId: i.makerId,
        referenceSetId: 1,
        score: i.score,
        verdict: i.verdict,
        band: i.score === null ? null : BAND,
        timings: { totalMs: 80 },
        reviewStatus: i.verdict === 'review' ? 'pending' : 'none',
        error: i.score === null ? 'camera frame was dark' : null,
        thumbnails,
      },
      at,
    );
    return this.inspectionId;
  }

  acceptGood(inspectionId: number, at: number) {
    this.push(
      'review',
      {
        id: inspectionId,
        inspectionId,
        action: 'accept_good',
        note: null,
        userName: 'lead-at-bench',
        decidedAt: at,
        reviewStatus: 'accepted_good',
        trainsOn: true,
      },
      at,
    );
  }

  version(id: number, productId: string, version: number, imageCount: number, at: number) {
    this.push(
      'reference_set_version',
      {
        id,
        productId,
        version,
        modelSha256: 'a'.repeat(64),
        backboneId: 'mobilenet-v2',
        imageCount,
        band: BAND,
        scoreKind: 'top',
        format: 2,
        createdAt: at,
      },
      at,
    );
  }

  activate(id: number, productId: string, version: number, at: number) {
    this.push('reference_set_activated', { productId, version, referenceSetId: id }, at);
  }

  select(productId: string, makerId: string | null, at: number) {
    this.push('selection', { productId, makerId }, at);
  }
}

export interface Workshop {
  inspections: FixtureInspection[];
  /** The frame thumbnail each inspection was sent with (by `${station}/${id}`). */
  frames: Map<string, Buffer>;
}

/** Where each bench's mug scores centre (bench-3's drifted light raises them) and who makes them there. */
const MUG_BENCHES = [
  { station: 'bench-1', maker: 'ana', centre: 10 },
  { station: 'bench-2', maker: 'ben', centre: 10.3 },
  { station: 'bench-3', maker: 'cleo', centre: 12.6 },
];

export async function fillWorkshop(pool: Pool): Promise<Workshop> {
  const rng = createRng(17);
  const inspections: FixtureInspection[] = [];
  const frames = new Map<string, Buffer>();
  const heat = (await jpeg(200, 40, 40)).toString('base64');
  const benches = new Map(MUG_BENCHES.map((b) => [b.station, new Bench(b.station)]));
  const record = async (bench: Bench, i: Omit<FixtureInspection, 'station' | 'id' | 'reviewStatus'>, at: number) => {
    let thumbnails = {};
    if (i.thumbs) {
      const frame = await jpeg(40 + bench.inspectionId, 90, 160);
      frames.set(`${bench.station}/${bench.inspectionId + 1}`, frame);
      thumbnails = { frame: frame.toString('base64'), heatmap: heat };
    }
    const id = bench.inspect({ ...i, reviewStatus: 'none' }, at, thumbnails);
    inspections.push({ ...i, station: bench.station, id, reviewStatus: i.verdict === 'review' ? 'pending' : 'none' });
    return id;
  };

  for (const [n, b] of MUG_BENCHES.entries()) {
    const bench = benches.get(b.station)!;
    bench.version(10 + n, 'mug', 1, 40, T0 - 86_400_000);
    bench.select('mug', b.maker, T0);
    // 40 good items, spread ±1.2 around the bench's centre.
    for (let k = 0; k < 40; k++) {
      const score = Number((b.centre + (rng() - 0.5) * 2.4).toFixed(3));
      await record(
        bench,
        { productId: 'mug', makerId: b.maker, score, verdict: verdictOf(score), thumbs: false },
        T0 + k * MINUTE,
      );
    }
  }
  const [one, two, three] = MUG_BENCHES.map((b) => benches.get(b.station)!);
  // Borderline and failed items, with thumbnails; ana's first borderline one is decided at her bench.
  const decided = await record(
    one,
    { productId: 'mug', makerId: 'ana', score: 15.2, verdict: 'review', thumbs: true },
    T0 + 50 * MINUTE,
  );
  await record(
    one,
    { productId: 'mug', makerId: 'ana', score: 16.1, verdict: 'review', thumbs: true },
    T0 + 51 * MINUTE,
  );
  await record(one, { productId: 'mug', makerId: 'ana', score: 19.4, verdict: 'fail', thumbs: true }, T0 + 52 * MINUTE);
  await record(
    one,
    { productId: 'mug', makerId: null, score: null, verdict: 'unjudged', thumbs: false },
    T0 + 53 * MINUTE,
  );
  one.acceptGood(decided, T0 + 55 * MINUTE);
  await record(
    two,
    { productId: 'mug', makerId: 'ben', score: 14.8, verdict: 'review', thumbs: true },
    T0 + 50 * MINUTE,
  );
  await record(
    three,
    { productId: 'mug', makerId: 'cleo', score: 16.6, verdict: 'review', thumbs: true },
    T0 + 50 * MINUTE,
  );
  // Bowls at bench-3 by ana, who also works there: one maker at two benches.
  three.version(20, 'bowl', 1, 25, T0 - 3_600_000);
  three.activate(20, 'bowl', 1, T0 - 3_600_000);
  for (let k = 0; k < 6; k++) {
    const score = Number((9 + rng() * 2).toFixed(3));
    await record(
      three,
      { productId: 'bowl', makerId: 'ana', score, verdict: verdictOf(score), thumbs: false },
      T0 + (60 + k) * MINUTE,
    );
  }
  // bench-1 runs mug v2 (calibrated later); bench-2 runs v1; bench-3 has mug v1 but none active.
  one.version(11, 'mug', 2, 55, T0 + 56 * MINUTE);
  one.activate(11, 'mug', 2, T0 + 56 * MINUTE);
  two.activate(11, 'mug', 1, T0 + 56 * MINUTE);

  for (const bench of benches.values()) {
    for (const e of bench.events) {
      // bench-2's event 5 is still in flight (a gap the stations page shows); its last one arrived 7 s late.
      if (bench.station === 'bench-2' && e.seq === 5) continue;
      const late = bench.station === 'bench-2' && e.seq === bench.seq ? 7000 : 300;
      await recordEvent(pool, e, e.at + late);
    }
  }
  // bench-2's inspection carried by seq 5 never reached the hub.
  const lost = benches.get('bench-2')!.events.find((e) => e.seq === 5);
  if (lost?.kind === 'inspection') {
    const at = inspections.findIndex((i) => i.station === 'bench-2' && i.id === lost.data.id);
    inspections.splice(at, 1);
  }
  for (const i of inspections) if (i.station === 'bench-1' && i.id === decided) i.reviewStatus = 'accepted_good';
  await recordStatus(pool, { v: 1, station: 'bench-1', online: true, at: T0 + 60 * MINUTE });
  await recordStatus(pool, { v: 1, station: 'bench-2', online: false, at: T0 + 61 * MINUTE });
  await recordStatus(pool, { v: 1, station: 'bench-3', online: true, at: T0 + 62 * MINUTE });
  return { inspections, frames };
}

/** The median as a reader computes it by hand: the middle value, or the mean of the two middle ones. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
