// The hub's Benches page: the same product's recent scores on every bench, on one axis, so a bench whose camera or
// light drifted stands out; the rule that flags one is printed under the charts.
import { errorText, getJson } from './api.ts';
import { boxRows, histogram } from './charts.ts';
import { $, clear, fmtScore, h, notify } from './dom.ts';
import { loaded, query } from './hub-filter.ts';
import { renderHubNav } from './hub-nav.ts';
import type { BenchDistribution, HubBenchesResponse } from './hub-types.ts';

const departureText = (b: BenchDistribution) =>
  b.departure === null
    ? 'too few scores to compare'
    : `${b.departure >= 0 ? '+' : ''}${b.departure.toFixed(2)} × the others' interquartile range`;

function tableRow(b: BenchDistribution): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-station': b.station, class: b.flagged ? 'flagged' : '' },
    h('td', { class: 'station' }, b.flagged ? `⚑ ${b.station}` : b.station),
    h('td', { class: 'num' }, b.n),
    h('td', { class: 'num median' }, fmtScore(b.quantiles?.median)),
    h('td', { class: 'num' }, b.quantiles ? `${fmtScore(b.quantiles.p25)} – ${fmtScore(b.quantiles.p75)}` : '—'),
    h('td', { class: 'num' }, fmtScore(b.others?.median)),
    h('td', { class: 'departure' }, departureText(b)),
  );
}

function productBlock(p: HubBenchesResponse['products'][number]): HTMLElement {
  const band = p.benches.find((b) => b.band)?.band ?? null;
  const flagged = p.benches.filter((b) => b.flagged).length;
  const head = ['Station', 'Scores', 'Median', 'Middle half', "Others' median", 'Departure'];
  return h(
    'section',
    { class: 'product-block', 'data-product': p.productId },
    h('h2', {}, `${p.productId}${flagged ? ` — ${flagged} bench${flagged > 1 ? 'es' : ''} departing` : ''}`),
    h(
      'div',
      { class: 'card' },
      boxRows(
        p.benches.map((b) => ({ label: b.station, n: b.n, q: b.quantiles, flagged: b.flagged })),
        band,
        p.edges,
      ),
      h(
        'p',
        { class: 'muted small' },
        'Box: middle half of the scores; whiskers: 10th to 90th percentile; bar: median.',
      ),
    ),
    h(
      'table',
      { class: 'grid card' },
      h('thead', {}, h('tr', {}, ...head.map((t, i) => h('th', { class: i > 0 && i < 5 ? 'num' : '' }, t)))),
      h('tbody', {}, ...p.benches.map(tableRow)),
    ),
    h(
      'div',
      { class: 'bench-grid' },
      ...p.benches.map((b) =>
        h(
          'figure',
          { class: `card${b.flagged ? ' flagged' : ''}`, 'data-station': b.station },
          h('figcaption', {}, `${b.flagged ? '⚑ ' : ''}${b.station}: last ${b.n} scores`),
          histogram(p.edges, b.counts, b.band),
        ),
      ),
    ),
  );
}

/** Only the newest request draws: a quick second change of the filter must not be overwritten by the first. */
let loads = 0;

async function load(): Promise<void> {
  const ticket = ++loads;
  loaded(false);
  const out = $('#benches');
  let res: HubBenchesResponse;
  try {
    res = await getJson<HubBenchesResponse>(
      `/api/benches${query({ window: ($('#window') as HTMLSelectElement).value })}`,
    );
  } catch (err) {
    notify(errorText(err), 'error');
    return;
  }
  if (ticket !== loads) return;
  clear(out);
  if (res.products.length === 0) out.append(h('p', { class: 'card muted' }, 'No scores yet.'));
  out.append(...res.products.map(productBlock));
  $('#bench-rule').textContent = `Rule: ${res.rule}`;
  loaded(true);
}

async function main(): Promise<void> {
  await renderHubNav();
  $('#window').addEventListener('change', () => void load());
  await load();
}

void main();
