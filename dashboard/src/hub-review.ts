// The hub's Review page: borderline items (verdict review, not yet decided) across every bench, newest first, with
// the thumbnails the stations sent. Read-only: a decision is taken on the item's own station, which holds its full
// evidence and its reference images.
import { errorText, getJson } from './api.ts';
import { scoreBar } from './charts.ts';
import { $, clear, fmtScore, fmtTime, h, notify } from './dom.ts';
import { loaded, query, stationFilter } from './hub-filter.ts';
import { renderHubNav } from './hub-nav.ts';
import type { HubReviewItem, HubReviewResponse } from './hub-types.ts';

const thumb = (url: string | null, alt: string) =>
  url ? h('img', { src: url, alt, loading: 'lazy' }) : h('div', { class: 'noimg' }, 'no thumbnail');

function card(it: HubReviewItem): HTMLElement {
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
  );
}

/** Only the newest request draws: a quick second change of the filter must not be overwritten by the first. */
let loads = 0;

async function load(station: string): Promise<void> {
  const ticket = ++loads;
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
  out.append(...res.items.map(card));
  loaded(true);
}

async function main(): Promise<void> {
  await renderHubNav();
  const station = await stationFilter((s) => void load(s));
  await load(station());
}

void main();
