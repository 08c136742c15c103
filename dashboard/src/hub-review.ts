// The hub's Review page: borderline items (verdict review, not yet decided) across every bench, newest first, with
// the thumbnails the stations sent, and the lead's decisions (hub-review-decide.ts), which the item's bench records.
// While a decision is on its way the page reads again every 2 s: the item leaves when the bench's review arrives.
import { errorText, getJson } from './api.ts';
import { scoreBar } from './charts.ts';
import { $, clear, fmtScore, fmtTime, h, notify } from './dom.ts';
import { loaded, query, stationFilter } from './hub-filter.ts';
import { renderHubNav } from './hub-nav.ts';
import { decisionBlock, requestText } from './hub-review-decide.ts';
import type { HubRefusedDecision, HubReviewItem, HubReviewResponse } from './hub-types.ts';

const POLL_MS = 2000;

const thumb = (url: string | null, alt: string) =>
  url ? h('img', { src: url, alt, loading: 'lazy' }) : h('div', { class: 'noimg' }, 'no thumbnail');

function card(it: HubReviewItem, changed: () => void): HTMLElement {
  return h(
    'article',
    { class: 'card review-card', 'data-station': it.station, 'data-id': it.id },
    h(
      'div',
      { class: 'row between' },
      h('h3', {}, `${it.productId} #${it.id}`),
      h('span', { class: 'chip v-review' }, '? Review'),
    ),
    h(
      'div',
      { class: 'pair' },
      h('figure', {}, thumb(it.frameUrl, `frame of item ${it.id}`), h('figcaption', {}, 'Frame')),
      h('figure', {}, thumb(it.heatmapUrl, `heatmap of item ${it.id}`), h('figcaption', {}, 'Heatmap')),
    ),
    h(
      'dl',
      {},
      h('dt', {}, 'Station'),
      h('dd', { class: 'station' }, it.station),
      h('dt', {}, 'Product'),
      h('dd', {}, it.productId),
      h('dt', {}, 'Maker'),
      h('dd', { class: 'maker' }, it.makerId ?? 'no maker'),
      h('dt', {}, 'Score'),
      h('dd', { class: 'score' }, fmtScore(it.score)),
      h('dt', {}, 'Tolerance band'),
      h(
        'dd',
        { class: 'band' },
        it.band ? `review > ${fmtScore(it.band.reviewAt)}, fail > ${fmtScore(it.band.failAt)}` : 'none',
      ),
      h('dt', {}, 'Inspected'),
      h('dd', {}, fmtTime(it.inspectedAt)),
    ),
    h('div', { class: 'scorebar' }, scoreBar(it.score, it.band)),
    decisionBlock(it, changed),
  );
}

/** A refusal of an item that left the list (decided at the bench meanwhile): its reason must still be read. */
const refusedLine = (r: HubRefusedDecision) =>
  h(
    'li',
    { class: 'refused', 'data-station': r.station, 'data-id': r.inspectionId },
    h('strong', {}, `${r.station} #${r.inspectionId}: `),
    requestText(r),
  );

/** Only the newest request draws: a quick second change of the filter must not be overwritten by the first. */
let loads = 0;
let poll: ReturnType<typeof setTimeout> | undefined;

async function load(station: string): Promise<void> {
  const ticket = ++loads;
  clearTimeout(poll);
  loaded(false);
  const out = $('#review-items');
  let res: HubReviewResponse;
  try {
    res = await getJson<HubReviewResponse>(`/api/review${query({ station, limit: 200 })}`);
  } catch (err) {
    notify(errorText(err), 'error');
    return;
  }
  if (ticket !== loads) return;
  clear(out);
  $('#review-count').textContent =
    res.total === res.items.length
      ? `${res.total} waiting`
      : `${res.total} waiting; the newest ${res.items.length} shown`;
  if (res.items.length === 0) out.append(h('p', { class: 'card muted' }, 'Nothing waits for review.'));
  const again = () => void load(station);
  out.append(...res.items.map((it) => card(it, again)));
  const refused = $('#review-refused');
  clear(refused);
  if (res.refused.length)
    refused.append(h('h2', {}, 'Refused by the bench'), h('ul', { class: 'card' }, ...res.refused.map(refusedLine)));
  if (res.items.some((it) => it.request?.state === 'sent')) poll = setTimeout(again, POLL_MS);
  loaded(true);
}

async function main(): Promise<void> {
  await renderHubNav();
  const station = await stationFilter((s) => void load(s));
  await load(station());
}

void main();
