// The hub's Reference sets page: each product's reference-set versions on every bench, and which one each bench
// judges by now. Publishing and activating are hub-reference-set-publish.ts's, in #reference-set-publish.
import { errorText, getJson } from './api.ts';
import { $, clear, fmtScore, fmtTime, h, notify } from './dom.ts';
import { loaded, query, stationFilter } from './hub-filter.ts';
import { renderHubNav } from './hub-nav.ts';
import { PublishSection } from './hub-reference-set-publish.ts';
import type { HubReferenceSetsResponse, HubReferenceSetVersion } from './hub-types.ts';

function versionRow(v: HubReferenceSetVersion): HTMLTableRowElement {
  return h(
    'tr',
    { class: v.active ? 'active' : '', 'data-station': v.station, 'data-version': v.version },
    h('td', { class: 'station' }, v.station),
    h('td', { class: 'num' }, `v${v.version}`),
    h('td', { class: 'num' }, v.imageCount),
    h('td', {}, `review > ${fmtScore(v.band.reviewAt)}, fail > ${fmtScore(v.band.failAt)}`),
    h('td', {}, v.scoreKind),
    h('td', {}, v.backboneId ?? '—'),
    h('td', {}, fmtTime(v.createdAt)),
    h('td', { class: 'active-cell' }, v.active ? '✓ active' : ''),
  );
}

function productBlock(p: HubReferenceSetsResponse['products'][number]): HTMLElement {
  const head = ['Station', 'Version', 'Images', 'Tolerance band', 'Score', 'Backbone', 'Created', 'On the bench'];
  return h(
    'section',
    { class: 'product-block', 'data-product': p.productId },
    h('h2', {}, p.productId),
    h(
      'div',
      { class: 'chips', 'aria-label': 'active version on each bench' },
      ...p.activeByStation.map((a) =>
        h(
          'span',
          { class: `chip ${a.version === null ? 'v-unjudged' : 'v-pass'}`, 'data-station': a.station },
          `${a.station}: ${a.version === null ? 'none active' : `v${a.version}`}`,
        ),
      ),
    ),
    h(
      'table',
      { class: 'grid card' },
      h('thead', {}, h('tr', {}, ...head.map((t) => h('th', {}, t)))),
      h('tbody', {}, ...p.versions.map(versionRow)),
    ),
  );
}

/** Only the newest request draws: a quick second change of the filter must not be overwritten by the first. */
let loads = 0;

async function load(station: string): Promise<void> {
  const ticket = ++loads;
  loaded(false);
  const out = $('#reference-sets');
  let res: HubReferenceSetsResponse;
  try {
    res = await getJson<HubReferenceSetsResponse>(`/api/reference-sets${query({ station })}`);
  } catch (err) {
    notify(errorText(err), 'error');
    return;
  }
  if (ticket !== loads) return;
  clear(out);
  if (res.products.length === 0) out.append(h('p', { class: 'card muted' }, 'No reference set has been reported.'));
  out.append(...res.products.map(productBlock));
  loaded(true);
}

async function main(): Promise<void> {
  await renderHubNav();
  const station = await stationFilter((s) => void load(s));
  // A bench that received, checked or activated a set changes the versions below: draw them again.
  const publishing = new PublishSection(() => void load(station()));
  await Promise.all([load(station()), publishing.refresh().catch((err) => notify(errorText(err), 'error'))]);
}

void main();
