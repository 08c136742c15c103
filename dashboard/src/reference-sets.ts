// Reference sets for the lead: versions of each product with image counts, configuration, tolerance band,
// coverage warnings and before/after rates; recalibrate with live progress; activate/roll back.
import { connect, getJson, postJson, errorText } from './api.ts';
import { $, clear, fmtPct, fmtScore, fmtTime, h, notify } from './dom.ts';
import { renderNav } from './nav.ts';
import type {
  CalibrationEvent,
  JudgedVerdict,
  ProductInfo,
  ReferenceSetsResponse,
  ReferenceSetVersion,
} from './types.ts';

interface Rates {
  n: number;
  flagged: number;
  shares: Record<JudgedVerdict, number>;
}
interface Comparison {
  previousVersion: number;
  notes?: string[];
  good?: { n: number; before: Rates; after: Rates };
  reject?: { n: number; before: Rates; after: Rates };
}

let productId = '';

/** Fewer images than this make a before/after comparison too noisy to show. */
const MIN_COMPARED = 10;

const interval = (iv?: [number, number]) => (iv ? ` [${fmtScore(iv[0])}–${fmtScore(iv[1])}]` : '');

function ratesCell(v: ReferenceSetVersion): HTMLElement {
  const good = v.report.good as Rates | undefined;
  const reject = v.report.reject as Rates | undefined;
  const cmp = v.report.comparison as Comparison | undefined;
  const cell = h('td', { class: 'rates' });
  if (good)
    cell.append(
      h('div', {}, `good items flagged: ${fmtPct(good.flagged)} (fail ${fmtPct(good.shares.fail)}) of ${good.n}`),
    );
  if (reject) cell.append(h('div', {}, `rejects caught: ${fmtPct(reject.flagged)} of ${reject.n}`));
  // A before/after rate from a handful of images is noise ("50 % → 100 %" from 2): say what it rests on, and
  // below MIN_COMPARED only that there is too little to compare.
  const compared = (what: string, n: number, text: string) =>
    cell.append(
      n >= MIN_COMPARED
        ? h('div', { class: 'cmp' }, `vs v${cmp!.previousVersion}, ${text} (on ${n} ${what})`)
        : h(
            'div',
            { class: 'cmp muted small' },
            `vs v${cmp!.previousVersion}: ${n} ${what}, too few to compare (${MIN_COMPARED} needed)`,
          ),
    );
  if (cmp?.good)
    compared(
      'new good images',
      cmp.good.n,
      `false alarms ${fmtPct(cmp.good.before.flagged)} → ${fmtPct(cmp.good.after.flagged)}`,
    );
  if (cmp?.reject)
    compared(
      'rejects',
      cmp.reject.n,
      `rejects caught ${fmtPct(cmp.reject.before.flagged)} → ${fmtPct(cmp.reject.after.flagged)}`,
    );
  for (const n of cmp?.notes ?? []) cell.append(h('div', { class: 'muted small' }, n));
  if (!cell.childNodes.length) cell.append(h('span', { class: 'muted' }, '—'));
  return cell;
}

/** How the version looks at items: the configuration its calibration chose (or was pinned to), and why. */
function configCell(v: ReferenceSetVersion): HTMLElement {
  const t = v.report.tuning as { chosen: string; reason: string; candidates: unknown[] } | undefined;
  if (!t) return h('td', {}, h('span', { class: 'muted' }, 'as product.json'));
  return h(
    'td',
    { class: 'config' },
    h('div', {}, t.chosen),
    h(
      'div',
      { class: 'muted small' },
      t.candidates.length ? `self-tuned over ${t.candidates.length} candidates: ${t.reason}` : t.reason,
    ),
  );
}

function versionRow(v: ReferenceSetVersion, active: number | null): HTMLElement {
  const label = active === null || v.version > active ? 'Activate' : 'Roll back to this';
  return h(
    'tr',
    { class: v.isActive ? 'active' : '', 'data-version': v.version },
    h('td', {}, h('strong', {}, `v${v.version}`), v.isActive ? h('span', { class: 'badge steady' }, 'active') : null),
    h('td', {}, fmtTime(v.createdAt)),
    h('td', { class: 'num' }, String(v.imageCount)),
    configCell(v),
    h(
      'td',
      {},
      h('div', {}, `review > ${fmtScore(v.band.reviewAt)}${interval(v.band.reviewAtInterval)}`),
      h('div', {}, `fail > ${fmtScore(v.band.failAt)}${interval(v.band.failAtInterval)}`),
    ),
    ratesCell(v),
    h(
      'td',
      {},
      v.warnings.length || v.confirmedDefective.length
        ? h(
            'ul',
            { class: 'warnings' },
            ...v.confirmedDefective.map((d) =>
              h(
                'li',
                { class: 'defective' },
                `✕ learned ${d.name} as good, but ${d.reason.replace(/^inspection \d+ /, 'it was later ')}: recalibrate`,
              ),
            ),
            ...v.warnings.map((w) => h('li', {}, `⚠ ${w}`)),
          )
        : h('span', { class: 'muted' }, 'none'),
    ),
    h(
      'td',
      {},
      v.isActive
        ? null
        : h('button', { type: 'button', class: 'activate', onclick: () => void activate(v.version) }, label),
    ),
  );
}

// Loads overlap (an action's own refresh and the socket event it causes): only the newest one renders,
// and it clears the list just before drawing, so the list is never drawn twice or from a stale answer.
let loadSeq = 0;

async function load(): Promise<void> {
  const seq = ++loadSeq;
  const out = $('#versions');
  if (!productId) {
    clear(out);
    return;
  }
  const res = await getJson<ReferenceSetsResponse>(`/api/reference-sets/${encodeURIComponent(productId)}`);
  if (seq !== loadSeq) return;
  clear(out);
  $('#summary').textContent =
    (res.activeVersion ? `Active: v${res.activeVersion}` : 'No active version yet') +
    ` · ${res.versions.length} version${res.versions.length === 1 ? '' : 's'} · ${res.acceptedFromReview} image${res.acceptedFromReview === 1 ? '' : 's'} accepted from review`;
  ($('#calibrate') as HTMLButtonElement).disabled = res.calibration !== null;
  if (res.calibration)
    showProgress({
      productId,
      status: 'progress',
      phase: `running (started by ${res.calibration.startedBy})`,
      done: 0,
      total: 0,
    });
  if (res.versions.length === 0) {
    out.append(h('p', { class: 'muted' }, 'No reference set yet: start a calibration.'));
    return;
  }
  out.append(
    h(
      'table',
      { class: 'versions' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Version',
            'Built',
            'Images',
            'Configuration',
            'Tolerance band (95% interval)',
            'Rates',
            'Warnings',
            '',
          ].map((t) => h('th', {}, t)),
        ),
      ),
      h('tbody', {}, ...res.versions.map((v) => versionRow(v, res.activeVersion))),
    ),
  );
}

function showProgress(e: CalibrationEvent): void {
  const box = $('#progress');
  box.hidden = false;
  const bar = $('#progress-bar') as HTMLProgressElement;
  const text = $('#progress-text');
  box.dataset.status = e.status;
  if (e.status === 'progress') {
    if (e.total > 0) {
      bar.max = e.total;
      bar.value = e.done;
    } else bar.removeAttribute('value');
    text.textContent = `${e.phase}${e.total ? `: ${e.done} / ${e.total}` : ''}${e.message ? ` — ${e.message}` : ''}`;
  } else if (e.status === 'done') {
    bar.max = 1;
    bar.value = 1;
    text.textContent = `Built v${e.version} from ${e.imageCount} images, tolerance band: review > ${fmtScore(e.band.reviewAt)}, fail > ${fmtScore(e.band.failAt)}.${e.warnings?.length ? ` ${e.warnings.length} warning(s) below.` : ''}`;
  } else {
    bar.max = 1;
    bar.value = 0;
    text.textContent = `Calibration failed: ${e.error}`;
  }
}

async function activate(version: number): Promise<void> {
  try {
    await postJson(`/api/reference-sets/${encodeURIComponent(productId)}/activate`, { version });
    notify(`v${version} is now active for ${productId}`);
    await load();
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

async function main(): Promise<void> {
  await renderNav();
  const products = await getJson<ProductInfo[]>('/api/products');
  const select = $('#r-product') as HTMLSelectElement;
  select.append(...products.map((p) => h('option', { value: p.id }, p.name)));
  productId = new URLSearchParams(location.search).get('product') ?? products[0]?.id ?? '';
  select.value = productId;
  select.addEventListener('change', () => {
    productId = select.value;
    $('#progress').hidden = true;
    void load();
  });
  $('#calibrate').addEventListener('click', () => {
    ($('#calibrate') as HTMLButtonElement).disabled = true;
    postJson(`/api/reference-sets/${encodeURIComponent(productId)}/calibrate`).then(
      () => notify('Calibration started'),
      (err: unknown) => {
        ($('#calibrate') as HTMLButtonElement).disabled = false;
        notify(errorText(err), 'error');
      },
    );
  });
  const socket = connect();
  socket.on('calibration', (e: CalibrationEvent) => {
    if (e.productId !== productId) return;
    showProgress(e);
    if (e.status !== 'progress') {
      ($('#calibrate') as HTMLButtonElement).disabled = false;
      void load();
    }
  });
  socket.on('reference-set', (e: { productId: string }) => {
    if (e.productId === productId) void load();
  });
  await load();
}

void main();
