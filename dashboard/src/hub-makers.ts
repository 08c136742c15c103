// The hub's Makers page: each maker's verdict shares and median score at every bench they worked at, so the same
// maker can be compared across benches and makers with each other.
import { errorText, getJson } from './api.ts';
import { rateBars } from './charts.ts';
import { $, clear, fmtPct, fmtScore, h, notify } from './dom.ts';
import { loaded, query, stationFilter } from './hub-filter.ts';
import { renderHubNav } from './hub-nav.ts';
import type { HubMakersResponse, MakerBenchRow } from './hub-types.ts';

const makerName = (r: MakerBenchRow) => r.makerId ?? 'no maker';

function tableRow(r: MakerBenchRow): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-maker': r.makerId ?? 'none', 'data-station': r.station },
    h('td', { class: 'maker' }, makerName(r)),
    h('td', { class: 'station' }, r.station),
    h('td', { class: 'num count' }, r.count),
    h('td', { class: 'num c-pass' }, fmtPct(r.rates?.pass)),
    h('td', { class: 'num c-review' }, fmtPct(r.rates?.review)),
    h('td', { class: 'num c-fail' }, fmtPct(r.rates?.fail)),
    h('td', { class: 'num median' }, fmtScore(r.medianScore)),
  );
}

function productBlock(productId: string, rows: MakerBenchRow[]): HTMLElement {
  const head = ['Maker', 'Station', 'Items', 'Pass', 'Review', 'Fail', 'Median score'];
  return h(
    'section',
    { class: 'product-block', 'data-product': productId },
    h('h2', {}, productId),
    h(
      'div',
      { class: 'card' },
      rateBars(
        rows.map((r) => ({ label: `${makerName(r)} · ${r.station}`, count: r.count, rates: r.rates, flagged: false })),
      ),
      h(
        'div',
        { class: 'legend' },
        h('span', { class: 'c-pass' }, '■ pass'),
        h('span', { class: 'c-review' }, '■ review'),
        h('span', { class: 'c-fail' }, '■ fail'),
      ),
    ),
    h(
      'table',
      { class: 'grid card' },
      h('thead', {}, h('tr', {}, ...head.map((t, i) => h('th', { class: i > 1 ? 'num' : '' }, t)))),
      h('tbody', {}, ...rows.map(tableRow)),
    ),
  );
}

/** Only the newest request draws: a quick second change of the filter must not be overwritten by the first. */
let loads = 0;

async function load(station: string): Promise<void> {
  const ticket = ++loads;
  loaded(false);
  const out = $('#makers');
  let res: HubMakersResponse;
  try {
    const days = ($('#period') as HTMLSelectElement).value;
    res = await getJson<HubMakersResponse>(`/api/makers${query({ station, days })}`);
  } catch (err) {
    notify(errorText(err), 'error');
    return;
  }
  if (ticket !== loads) return;
  clear(out);
  const products = [...new Set(res.rows.map((r) => r.productId))];
  if (products.length === 0) out.append(h('p', { class: 'card muted' }, 'No inspections in this period.'));
  for (const p of products)
    out.append(
      productBlock(
        p,
        res.rows.filter((r) => r.productId === p),
      ),
    );
  loaded(true);
}

async function main(): Promise<void> {
  await renderHubNav();
  const station = await stationFilter((s) => void load(s));
  $('#period').addEventListener('change', () => void load(station()));
  await load(station());
}

void main();
