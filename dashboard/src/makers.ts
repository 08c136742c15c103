// Makers page for the lead: per maker and product over a period — rates, score histogram,
// control chart with the tolerance band, drift flag — and makers side by side.
import { getJson, errorText } from './api.ts';
import { controlChart, histogram, rateBars } from './charts.ts';
import { $, clear, fmtPct, fmtScore, h, notify } from './dom.ts';
import { renderNav } from './nav.ts';
import type { MakerGroup, MakerStatsResponse, ProductInfo } from './types.ts';

const DAY = 86_400_000;

function periodQuery(): URLSearchParams {
  const q = new URLSearchParams();
  const product = ($('#m-product') as HTMLSelectElement).value;
  const days = Number(($('#m-period') as HTMLSelectElement).value);
  const now = Date.now();
  if (product) q.set('product', product);
  q.set('since', String(now - days * DAY));
  q.set('until', String(now));
  q.set('recent', ($('#m-recent') as HTMLSelectElement).value);
  return q;
}

/** The maker's rates the product's targets are clearly exceeded by (none: an empty list). */
function aboveTarget(g: MakerGroup): string[] {
  const t = g.target;
  return (['review', 'fail'] as const)
    .filter((k) => t[k].above)
    .map((k) => `${k} ${fmtPct(t[k].rate)} (target ${fmtPct(t[k].target)})`);
}

/** Drift first, then rates above the product's targets (`above`, see aboveTarget); "Steady" only when neither. */
function statusBadge(g: MakerGroup, above: string[]): HTMLElement {
  if (g.drift.flagged) return h('span', { class: 'badge drift', title: g.drift.reasons.join('; ') }, '⚑ Drift');
  if (above.length)
    return h(
      'span',
      { class: 'badge drift above-target', title: `over ${g.target.n} judged items` },
      `⚑ Above target: ${above.join(', ')}`,
    );
  if (g.drift.recentMean === null) return h('span', { class: 'badge muted' }, `needs ${g.drift.recentN} items`);
  return h('span', { class: 'badge steady' }, 'Steady');
}

function makerCard(g: MakerGroup, p: MakerStatsResponse['products'][number], res: MakerStatsResponse): HTMLElement {
  const d = g.drift;
  const shift = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(2)} spreads`);
  const above = aboveTarget(g);
  return h(
    'article',
    { class: `card maker${d.flagged || above.length ? ' flagged' : ''}`, 'data-maker': g.makerId ?? 'none' },
    h('div', { class: 'row between' }, h('h3', {}, g.makerName), statusBadge(g, above)),
    h(
      'p',
      { class: 'stats-line' },
      h('strong', {}, String(g.count)),
      ' items · ',
      h('span', { class: 'c-pass' }, `✓ ${g.verdicts.pass} (${fmtPct(g.rates?.pass)})`),
      ' · ',
      h('span', { class: 'c-review' }, `? ${g.verdicts.review} (${fmtPct(g.rates?.review)})`),
      ' · ',
      h('span', { class: 'c-fail' }, `✕ ${g.verdicts.fail} (${fmtPct(g.rates?.fail)})`),
      ' · mean score ',
      fmtScore(g.meanScore),
    ),
    h(
      'div',
      { class: 'charts' },
      h(
        'figure',
        {},
        h('figcaption', {}, 'Score distribution'),
        histogram(g.histogram.edges, g.histogram.counts, p.band),
      ),
      h(
        'figure',
        {},
        h('figcaption', {}, `Scores over time (line: mean of last ${res.recentN})`),
        controlChart(g.series, p.band, g.histogram.edges, res.since, res.until, res.recentN),
      ),
    ),
    d.flagged ? h('ul', { class: 'reasons' }, ...d.reasons.map((r) => h('li', {}, r))) : null,
    h(
      'p',
      { class: 'muted small' },
      `Last ${d.recentN}: ${fmtScore(d.recentMean)} · own earlier: ${fmtScore(d.ownHistoryMean)} (${shift(d.shiftVsOwn)}) · other makers: ${fmtScore(d.workshopMean)} (${shift(d.shiftVsWorkshop)})`,
    ),
  );
}

async function load(): Promise<void> {
  const out = $('#maker-stats');
  clear(out);
  out.append(h('p', { class: 'muted' }, 'Loading…'));
  let res: MakerStatsResponse;
  try {
    res = await getJson<MakerStatsResponse>(`/api/makers/stats?${periodQuery()}`);
  } catch (err) {
    clear(out);
    notify(errorText(err), 'error');
    return;
  }
  clear(out);
  if (res.products.length === 0) out.append(h('p', { class: 'card muted' }, 'No inspections in this period.'));
  for (const p of res.products) {
    const flagged = p.makers.filter((m) => m.drift.flagged).length;
    out.append(
      h(
        'section',
        { class: 'product-block', 'data-product': p.productId },
        h(
          'div',
          { class: 'row between' },
          h('h2', {}, p.productName),
          h(
            'span',
            { class: 'muted' },
            p.band
              ? `tolerance band (v${p.referenceSetVersion}): review > ${fmtScore(p.band.reviewAt)}, fail > ${fmtScore(p.band.failAt)}`
              : 'no active reference set',
          ),
        ),
        h(
          'div',
          { class: 'card' },
          h('h3', {}, `Makers side by side${flagged ? ` — ${flagged} drifting` : ''}`),
          rateBars(
            p.makers.map((m) => ({ label: m.makerName, count: m.count, rates: m.rates, flagged: m.drift.flagged })),
          ),
          h(
            'div',
            { class: 'legend' },
            h('span', { class: 'c-pass' }, '■ pass'),
            h('span', { class: 'c-review' }, '■ review'),
            h('span', { class: 'c-fail' }, '■ fail'),
          ),
        ),
        h('div', { class: 'maker-grid' }, ...p.makers.map((g) => makerCard(g, p, res))),
      ),
    );
  }
  $('#drift-rule').textContent = `Drift rule: ${res.driftRule}`;
  document.body.dataset.loaded = 'true';
}

async function main(): Promise<void> {
  await renderNav();
  const products = await getJson<ProductInfo[]>('/api/products');
  $('#m-product').append(...products.map((p) => h('option', { value: p.id }, p.name)));
  for (const id of ['#m-product', '#m-period', '#m-recent']) $(id).addEventListener('change', () => void load());
  await load();
}

void main();
