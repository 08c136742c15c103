// Live page for the artisan at the bench: the verdict, big; the frame with an optional heatmap;
// the good references it resembles; product, maker, camera, today's count. Socket.io only.
import { connect, getJson, getSession, isLead, postJson, ApiError, errorText } from './api.ts';
import { scoreBar } from './charts.ts';
import { $, clear, fmtScore, fmtTime, h, notify, VERDICT_MARK, VERDICT_TEXT } from './dom.ts';
import { loginForm, renderNav } from './nav.ts';
import type { BenchState, Hello, InspectionView, NetworkState, ProductInfo, Selection, Today } from './types.ts';

const BENCH_TEXT: Record<BenchState, string> = {
  empty: 'Place an item on the bench',
  item: 'Item detected — hold it still',
  steady: 'Item is still',
  inspecting: 'Inspecting…',
  'waiting-empty': 'Take the item off the bench',
};

/** live.html?kiosk=1: the bench screen (see style.css "Kiosk"): no chrome, heatmap on its own, recovers alone. */
const kiosk = new URLSearchParams(location.search).get('kiosk') === '1';

let selection: Selection = { productId: null, productName: null, makerId: null, makerName: null };
let showHeatmap = false;
let last: InspectionView | null = null;

function setBench(state: BenchState): void {
  const el = $('#bench-state');
  el.textContent = BENCH_TEXT[state] ?? state;
  el.dataset.state = state;
  const verdict = $('#verdict');
  if (state === 'item' || state === 'steady' || state === 'inspecting') {
    verdict.classList.add('stale');
    const label = verdict.querySelector('.for-item');
    if (label && last) label.textContent = `Previous item #${last.id} · ${fmtTime(last.inspectedAt)}`;
    // The bench changed: show what the camera sees now (one fetch per event, not polling).
    void showCameraFrame();
    $('#heatmap').hidden = true;
  }
}

let frameObjectUrl: string | null = null;

/** Load the current camera frame; keep the previous picture if the camera has none to give. */
async function showCameraFrame(): Promise<void> {
  const res = await fetch('/api/frame.jpg', { cache: 'no-store' }).catch(() => null);
  if (!res?.ok) return;
  const url = URL.createObjectURL(await res.blob());
  ($('#frame') as HTMLImageElement).src = url;
  if (frameObjectUrl) URL.revokeObjectURL(frameObjectUrl);
  frameObjectUrl = url;
}

function setCamera(state: Hello['camera'], reason?: string): void {
  const pill = $('#camera');
  pill.textContent = { up: '● Camera on', lost: '▲ Camera lost', ended: '■ Replay finished' }[state];
  pill.className = `pill ${state === 'up' ? 'ok' : 'bad'}`;
  const banner = $('#camera-lost');
  banner.hidden = state === 'up';
  banner.textContent =
    state === 'up'
      ? ''
      : state === 'ended'
        ? 'The replay has played its last item: no more items will come.'
        : `Camera lost${reason ? ` (${reason})` : ''} — reconnecting. Inspections resume by themselves.`;
}

/** One pill per configured serial device; a lost one says so (the bench inspects on, without its signal). */
function setDevices(devices: Hello['devices']): void {
  const box = $('#devices');
  clear(box);
  for (const [name, status] of Object.entries(devices ?? {})) {
    const up = status === 'connected';
    box.append(
      h(
        'span',
        { class: `pill ${up ? 'ok' : 'bad'}`, 'data-device': name },
        up ? `● ${name}` : `▲ ${name} disconnected`,
      ),
    );
  }
}

/** The workshop network, for a bench on one: connected, or offline with what waits and since when. */
function setNetwork(n: NetworkState | null): void {
  const pill = $('#network');
  pill.hidden = n === null;
  if (!n) return;
  const waiting = n.backlog > 0 ? ` · ${n.backlog} waiting` : '';
  const since = n.oldestUnsentAt !== null && !n.connected ? ` since ${fmtTime(n.oldestUnsentAt)}` : '';
  pill.className = `pill ${n.connected ? 'ok' : 'bad'}`;
  pill.textContent = n.connected ? `● workshop${waiting}` : `▲ workshop offline${waiting}${since}`;
  pill.title = n.lastError ?? `station ${n.station} on the workshop network`;
}

function showInspection(v: InspectionView): void {
  last = v;
  const card = $('#verdict');
  card.className = `verdict v-${v.verdict}`;
  card.dataset.verdict = v.verdict;
  card.dataset.inspectionId = String(v.id);
  clear(card);
  card.append(
    h('span', { class: 'mark', 'aria-hidden': 'true' }, VERDICT_MARK[v.verdict] ?? ''),
    h('span', { class: 'word' }, VERDICT_TEXT[v.verdict] ?? v.verdict),
    // Which item this verdict is for: the frame beside it may already show the next one.
    h('span', { class: 'for-item' }, `Item #${v.id} · ${fmtTime(v.inspectedAt)}`),
  );
  $('#verdict-detail').textContent =
    v.verdict === 'unjudged'
      ? (v.error ?? 'This item could not be judged.')
      : `Score ${fmtScore(v.score)} · item #${v.id} at ${fmtTime(v.inspectedAt)}`;
  const bar = $('#scorebar');
  clear(bar);
  bar.append(scoreBar(v.score, v.band));
  const frame = $('#frame') as HTMLImageElement;
  const heat = $('#heatmap') as HTMLImageElement;
  if (v.frameUrl) frame.src = v.frameUrl;
  if (v.heatmapUrl) heat.src = v.heatmapUrl;
  // On the bench screen nobody clicks: an item that needs a look shows where it deviates by itself.
  heat.hidden = !((showHeatmap || (kiosk && (v.verdict === 'fail' || v.verdict === 'review'))) && v.heatmapUrl);
  if (!kiosk) showNearest(v);
}

/** The good references the item resembles (not on the bench screen: it has no room for them from 2 m). */
function showNearest(v: InspectionView): void {
  const near = $('#nearest');
  clear(near);
  if (v.nearest.length === 0) near.append(h('p', { class: 'muted' }, 'No reference images for this item.'));
  for (const n of v.nearest.slice(0, 4)) {
    near.append(
      h(
        'figure',
        {},
        h('img', { src: n.url, alt: `good reference ${n.fileName}`, loading: 'lazy' }),
        h('figcaption', {}, n.fileName),
      ),
    );
  }
}

function setSelection(sel: Selection): void {
  selection = sel;
  $('#product').textContent = sel.productName ?? 'no product selected';
  $('#maker').textContent = sel.makerName ?? 'no maker selected';
}

function setToday(t: Today): void {
  if (t.makerId !== selection.makerId) return;
  const el = $('#today');
  clear(el);
  el.append(
    h('span', { class: 'big-number', 'data-testid': 'today-total' }, String(t.total)),
    h('span', {}, ` item${t.total === 1 ? '' : 's'} today${selection.makerName ? ` by ${selection.makerName}` : ''}`),
    h(
      'span',
      { class: 'counts' },
      h('span', { class: 'c-pass' }, `✓ ${t.counts.pass}`),
      h('span', { class: 'c-review' }, `? ${t.counts.review}`),
      h('span', { class: 'c-fail' }, `✕ ${t.counts.fail}`),
    ),
  );
}

async function openChange(): Promise<void> {
  const dialog = $('#change') as HTMLDialogElement;
  const body = $('#change-body');
  clear(body);
  const session = await getSession();
  if (!session.user) {
    body.append(
      loginForm(() => {
        void renderNav();
        void openChange();
      }, 'Sign in to change the product or maker.'),
    );
    if (!dialog.open) dialog.showModal();
    return;
  }
  const [products, makers] = await Promise.all([
    getJson<ProductInfo[]>('/api/products'),
    getJson<{ id: string; name: string }[]>('/api/makers'),
  ]);
  const product = h(
    'select',
    { id: 'select-product' },
    ...products.map((p) =>
      h(
        'option',
        { value: p.id, selected: p.id === selection.productId },
        p.activeVersion ? p.name : `${p.name} (not calibrated)`,
      ),
    ),
  );
  const maker = h(
    'select',
    { id: 'select-maker' },
    h('option', { value: '' }, '— no maker —'),
    ...makers.map((m) => h('option', { value: m.id, selected: m.id === selection.makerId }, m.name)),
  );
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'stack' },
    h('label', { for: 'select-product' }, 'Product'),
    product,
    h('label', { for: 'select-maker' }, 'Maker'),
    maker,
    error,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'primary' }, 'Use these'),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    postJson<Selection>('/api/select', { productId: product.value, makerId: maker.value || null }).then(
      (sel) => {
        setSelection(sel);
        dialog.close();
      },
      (err: unknown) => (error.textContent = errorText(err)),
    );
  });
  body.append(form);
  if (!dialog.open) dialog.showModal();
}

/**
 * The bench screen keeps itself going: the screen stays on while the page shows (a wake lock, where the browser
 * offers one), and after the station comes back from a restart or an upgrade the page reloads itself, so it runs
 * the station's current code; it reloads only once the station answers, never onto an error page.
 */
function keepKioskAlive(socket: ReturnType<typeof connect>): void {
  const wake = () => void navigator.wakeLock?.request('screen').catch(() => {});
  wake();
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && wake());
  let lost = false;
  socket.on('disconnect', () => {
    lost = true;
  });
  socket.on('connect', () => {
    if (!lost) return;
    void fetch(location.href, { cache: 'no-store' }).then(
      (res) => res.ok && location.reload(),
      () => {},
    );
  });
}

async function main(): Promise<void> {
  if (kiosk) document.body.classList.add('kiosk');
  // The kiosk shows no header, and must not wait on a session to start listening.
  const session = kiosk ? null : await renderNav();
  $('#toggle-heatmap').addEventListener('click', (e) => {
    showHeatmap = !showHeatmap;
    const button = e.currentTarget as HTMLElement;
    button.setAttribute('aria-pressed', String(showHeatmap));
    button.textContent = showHeatmap ? 'Hide heatmap' : 'Show heatmap';
    ($('#heatmap') as HTMLImageElement).hidden = !(showHeatmap && last?.heatmapUrl);
  });
  $('#change-button').addEventListener('click', () => void openChange());
  $('#trigger').addEventListener('click', () => {
    postJson('/api/trigger').then(
      () => notify('Inspecting now'),
      (err: unknown) =>
        notify(
          err instanceof ApiError && err.status === 401 ? 'Sign in to inspect by hand' : String((err as Error).message),
          'error',
        ),
    );
  });
  if (session && isLead(session)) $('#review-link').hidden = false;

  const socket = connect();
  if (kiosk) keepKioskAlive(socket);
  socket.on('hello', (m: Hello) => {
    setSelection(m.selection);
    setCamera(m.camera);
    setDevices(m.devices);
    setNetwork(m.network);
    if (m.lastInspection) showInspection(m.lastInspection);
    setBench(m.bench);
    setToday(m.today);
    document.body.dataset.connected = 'true';
  });
  socket.on('bench', (m: { state: BenchState }) => setBench(m.state));
  socket.on('camera', (m: { state: Hello['camera']; reason?: string }) => setCamera(m.state, m.reason));
  socket.on('inspection', (v: InspectionView) => showInspection(v));
  socket.on('devices', (d: Hello['devices']) => setDevices(d));
  socket.on('network', (n: NetworkState) => setNetwork(n));
  socket.on('selection', (sel: Selection) => setSelection(sel));
  socket.on('today', (t: Today) => setToday(t));
  socket.on('disconnect', () => {
    document.body.dataset.connected = 'false';
    $('#camera').textContent = '… station offline';
    $('#camera').className = 'pill bad';
  });
}

void main();
