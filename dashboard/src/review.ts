// Review queue for the lead: review/fail items newest first; decide on each one.
// "Accept as good variation" puts the image into the product's calibration set.
import { connect, getJson, postJson, errorText } from './api.ts';
import { scoreBar } from './charts.ts';
import { $, clear, fmtScore, fmtTime, h, notify, verdictChip } from './dom.ts';
import { renderNav } from './nav.ts';
import type { InspectionView, ProductInfo } from './types.ts';

interface Detail extends InspectionView {
  referenceSetVersion: number | null;
  reviews: { action: string; note: string | null; userName: string; createdAt: number }[];
}

const ACTION_TEXT: Record<string, string> = {
  confirm_defect: 'confirmed the defect',
  accept_good: 'accepted as good variation',
  note: 'added a note',
};
const STATUS_TEXT: Record<string, string> = {
  none: '',
  pending: 'waiting for review',
  confirmed_defect: 'defect confirmed',
  accepted_good: 'accepted as good',
};

let items: InspectionView[] = [];
let selectedId: number | null = null;

const filters = () => ({
  product: ($('#f-product') as HTMLSelectElement).value,
  maker: ($('#f-maker') as HTMLSelectElement).value,
  status: ($('#f-status') as HTMLSelectElement).value,
});

function matches(v: InspectionView): boolean {
  const f = filters();
  return (
    (v.verdict === 'review' || v.verdict === 'fail') &&
    (!f.product || v.productId === f.product) &&
    (!f.maker || v.makerId === f.maker) &&
    (f.status !== 'pending' || v.reviewStatus === 'pending')
  );
}

/** Reload the queue; the pane keeps its item while it is in the queue, or is drawn afresh when `redraw`. */
async function loadQueue(redraw = false): Promise<void> {
  const f = filters();
  const q = new URLSearchParams({ verdict: 'review,fail', limit: '200' });
  if (f.product) q.set('product', f.product);
  if (f.maker) q.set('maker', f.maker);
  if (f.status === 'pending') q.set('reviewStatus', 'pending');
  const res = await getJson<{ total: number; items: InspectionView[] }>(`/api/inspections?${q}`);
  items = res.items;
  $('#queue-count').textContent = `${res.total} item${res.total === 1 ? '' : 's'}`;
  renderQueue();
  const kept = selectedId !== null && items.some((i) => i.id === selectedId);
  if (!kept) await select(items[0]?.id ?? null);
  else if (redraw) await select(selectedId);
}

function renderQueue(): void {
  const list = $('#queue');
  clear(list);
  if (items.length === 0) list.append(h('li', { class: 'empty' }, 'Nothing waiting. Well done.'));
  for (const v of items) {
    list.append(
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: `queue-item${v.id === selectedId ? ' selected' : ''}`,
            'data-id': v.id,
            onclick: () => void select(v.id),
          },
          v.frameUrl
            ? h('img', { src: v.frameUrl, alt: '', loading: 'lazy' })
            : h('span', { class: 'noimg' }, 'no image'),
          h(
            'span',
            { class: 'qi-text' },
            h('span', { class: 'qi-top' }, verdictChip(v.verdict), ` #${v.id}`),
            h('span', {}, `${v.productName} · ${v.makerName ?? 'no maker'}`),
            h('span', { class: 'muted' }, `${fmtTime(v.inspectedAt)} · score ${fmtScore(v.score)}`),
          ),
        ),
      ),
    );
  }
}

async function select(id: number | null): Promise<void> {
  selectedId = id;
  renderQueue();
  const pane = $('#detail');
  if (id === null) {
    clear(pane);
    pane.append(h('p', { class: 'muted' }, 'Select an item from the queue.'));
    return;
  }
  const d = await getJson<Detail>(`/api/inspections/${id}`);
  // Another item was chosen while this answer was on its way: that call draws the pane.
  if (selectedId !== id) return;
  clear(pane);
  const note = h('textarea', { id: 'note', rows: 2, placeholder: 'Note for the record (optional for decisions)' });
  const decided = d.reviewStatus === 'confirmed_defect' || d.reviewStatus === 'accepted_good';
  const act = (action: string) => () => void decide(d, action, note.value);
  pane.append(
    h(
      'div',
      { class: 'row between' },
      h('h2', {}, verdictChip(d.verdict), ` Item #${d.id}`),
      h(
        'span',
        { class: 'muted' },
        `${d.productName} · ${d.makerName ?? 'no maker'} · ${fmtTime(d.inspectedAt)}${d.referenceSetVersion ? ` · reference set v${d.referenceSetVersion}` : ''}`,
      ),
    ),
    h(
      'div',
      { class: 'pair' },
      h(
        'figure',
        {},
        d.frameUrl
          ? h('img', { src: d.frameUrl, alt: 'inspected item', id: 'detail-frame' })
          : h('div', { class: 'noimg' }, d.evidencePruned ? 'image deleted by retention' : 'no image'),
        h('figcaption', {}, 'Item'),
      ),
      h(
        'figure',
        {},
        d.heatmapUrl
          ? h('img', { src: d.heatmapUrl, alt: 'heatmap of differences' })
          : h('div', { class: 'noimg' }, 'no heatmap'),
        h('figcaption', {}, 'Heatmap: warm = unlike the good items'),
      ),
    ),
    h('h3', {}, `Score ${fmtScore(d.score)} against the tolerance band`),
    h('div', { class: 'scorebar' }, scoreBar(d.score, d.band)),
    h('h3', {}, 'Closest good references'),
    h(
      'div',
      { class: 'nearest' },
      ...(d.nearest.length
        ? d.nearest
            .slice(0, 5)
            .map((n) =>
              h(
                'figure',
                { title: `distance ${fmtScore(n.distance)}` },
                h('img', { src: n.url, alt: n.fileName, loading: 'lazy' }),
                h('figcaption', {}, n.fileName),
              ),
            )
        : [h('p', { class: 'muted' }, 'none recorded')]),
    ),
    h(
      'div',
      { class: 'actions' },
      note,
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          { type: 'button', class: 'danger', id: 'confirm-defect', onclick: act('confirm_defect'), disabled: decided },
          '✕ Confirm defect',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'good',
            id: 'accept-good',
            onclick: act('accept_good'),
            disabled: decided || !d.frameUrl,
          },
          '✓ Accept as good variation',
        ),
        h('button', { type: 'button', id: 'add-note', onclick: act('note') }, 'Add note'),
      ),
      decided
        ? h('p', { class: 'muted' }, `Decided: ${STATUS_TEXT[d.reviewStatus]}.`)
        : h(
            'p',
            { class: 'hint' },
            'Accepting copies this image into the product’s calibration folder; the next recalibration learns from it.',
          ),
    ),
    h('h3', {}, 'History'),
    h(
      'ul',
      { class: 'history' },
      ...(d.reviews.length
        ? d.reviews.map((r) =>
            h(
              'li',
              {},
              `${fmtTime(r.createdAt)} — ${r.userName} ${ACTION_TEXT[r.action] ?? r.action}${r.note ? `: “${r.note}”` : ''}`,
            ),
          )
        : [h('li', { class: 'muted' }, 'No decisions yet.')]),
    ),
  );
}

/**
 * One decision on the item the pane shows, with the status the lead saw (the server refuses it if the item was
 * decided since). The pane's buttons are off until the answer is in; then the pane shows the next item, never
 * the decided one with live buttons.
 */
async function decide(d: Detail, action: string, note: string): Promise<void> {
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('#detail .actions button')];
  for (const b of buttons) b.disabled = true;
  try {
    const res = await postJson<{ withdrawn?: string[] }>(`/api/inspections/${d.id}/review`, {
      action,
      note: note.trim() || undefined,
      seenStatus: d.reviewStatus,
    });
    const taken = res.withdrawn?.length ? ` and taken out of the calibration set of ${d.productName}` : '';
    notify(
      action === 'accept_good'
        ? `Item #${d.id} added to the calibration set of ${d.productName}`
        : action === 'confirm_defect'
          ? `Defect confirmed for item #${d.id}${taken}`
          : 'Note saved',
    );
    if (action === 'note') return void select(d.id);
    const index = items.findIndex((i) => i.id === d.id);
    const next = items[index + 1] ?? items[index - 1];
    selectedId = next?.id ?? null;
    await loadQueue(true);
  } catch (err) {
    notify(errorText(err), 'error');
    // Show the item as it is now (another lead may have decided it), with the buttons that fit.
    if (selectedId === d.id) await select(d.id);
  }
}

async function main(): Promise<void> {
  await renderNav();
  const [products, makers] = await Promise.all([
    getJson<ProductInfo[]>('/api/products'),
    getJson<{ id: string; name: string }[]>('/api/makers'),
  ]);
  $('#f-product').append(...products.map((p) => h('option', { value: p.id }, p.name)));
  $('#f-maker').append(...makers.map((m) => h('option', { value: m.id }, m.name)));
  for (const id of ['#f-product', '#f-maker', '#f-status']) $(id).addEventListener('change', () => void loadQueue());
  await loadQueue();
  const socket = connect();
  socket.on('inspection', (v: InspectionView) => {
    if (!matches(v) || items.some((i) => i.id === v.id)) return;
    items.unshift(v);
    renderQueue();
    notify(`New ${v.verdict} item #${v.id}`);
  });
}

void main();
