// The lead's publishing on the hub's Reference sets page (#reference-set-publish): every set the hub holds, a
// "Publish to benches" form to send it to chosen benches, and per bench how far it got, the bench check's false-alarm
// figure and "Activate on this bench" beside it. While a bench has not answered yet, the section polls.
import { errorText, getJson, postJson } from './api.ts';
import { $, clear, fmtScore, fmtTime, h, notify } from './dom.ts';
import {
  activationPending,
  activationRefused,
  checkText,
  pending,
  shortFigure,
  stateClass,
  stateText,
} from './hub-delivery-text.ts';
import type {
  ActivateAnswer,
  BenchReferenceSetsResponse,
  HeldReferenceSet,
  HeldReferenceSetsResponse,
  PublishAnswer,
  ReferenceSetDelivery,
  StationStatus,
} from './hub-types.ts';

const POLL_MS = 2000;
const short = (sha: string) => `${sha.slice(0, 12)}…`;

interface Card {
  set: HeldReferenceSet;
  rows: HTMLTableSectionElement;
  error: HTMLElement;
}

/** Shows an API's answer plainly in the set's own card (and clears it on the next success). */
function showError(card: Card, err: unknown): void {
  card.error.textContent = errorText(err);
}

export class PublishSection {
  private cards = new Map<string, Card>();
  /** null until first drawn, so an empty list is drawn too. */
  private heldKey: string | null = null;
  private statesKey = '';
  private timer: number | undefined;
  /** Only the newest read draws: an action's refresh and a poll may overlap. */
  private reads = 0;

  /** `changed`: a bench's state moved (the page redraws which version each bench runs). */
  constructor(private readonly changed: () => void) {}

  async refresh(): Promise<void> {
    window.clearTimeout(this.timer);
    const ticket = ++this.reads;
    const [held, benches] = await Promise.all([
      getJson<HeldReferenceSetsResponse>('/api/reference-sets/held'),
      getJson<BenchReferenceSetsResponse>('/api/reference-sets/benches'),
    ]);
    if (ticket !== this.reads) return;
    const heldKey = held.sets.map((s) => s.sha256).join();
    if (heldKey !== this.heldKey) {
      this.heldKey = heldKey;
      await this.build(held.sets);
    }
    const deliveries = benches.flatMap((b) => b.deliveries.map((d) => ({ station: b.stationId, d })));
    for (const card of this.cards.values()) {
      clear(card.rows);
      const mine = deliveries.filter((x) => x.d.sha256 === card.set.sha256);
      if (mine.length === 0)
        card.rows.append(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'Not published yet.')));
      for (const x of mine) card.rows.append(this.row(card, x.station, x.d));
    }
    const statesKey = deliveries.map((x) => `${x.station}/${x.d.sha256}/${x.d.state}`).join();
    if (this.statesKey && statesKey !== this.statesKey) this.changed();
    this.statesKey = statesKey;
    const waiting = deliveries.some((x) => pending(x.d));
    // For the page's readers and tests: drawn, and whether a bench's answer is still awaited.
    document.body.dataset.deliveries = waiting ? 'pending' : 'settled';
    if (waiting) this.schedule();
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.poll(), POLL_MS);
  }

  private async poll(): Promise<void> {
    try {
      await this.refresh();
    } catch {
      // A hub restarting: try again at the next tick rather than stop watching.
      this.schedule();
    }
  }

  private async build(sets: HeldReferenceSet[]): Promise<void> {
    const out = $('#reference-set-publish');
    const stations = await getJson<StationStatus[]>('/api/stations');
    clear(out);
    this.cards.clear();
    out.append(h('h2', {}, 'Publish and activate'));
    if (sets.length === 0)
      out.append(
        h(
          'p',
          { class: 'card muted' },
          'The hub holds no reference set yet: a bench sends its own when it calibrates.',
        ),
      );
    for (const set of sets)
      out.append(
        this.card(
          set,
          stations.map((s) => s.station),
        ),
      );
  }

  private card(set: HeldReferenceSet, stations: string[]): HTMLElement {
    const rows = h('tbody', {});
    const error = h('p', { class: 'form-error', role: 'alert' });
    const card: Card = { set, rows, error };
    this.cards.set(set.sha256, card);
    const choices = stations
      .filter((s) => s !== set.sourceStation)
      .map((s) =>
        h('label', { class: 'station-choice', 'data-station': s }, h('input', { type: 'checkbox', value: s }), s),
      );
    const send = h('button', { type: 'submit', class: 'primary publish' }, 'Publish to benches');
    const form = h('form', { class: 'publish-form row' }, h('span', { class: 'label' }, 'Send to'), ...choices, send);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const chosen = choices.map((c) => c.querySelector('input')!).filter((i) => i.checked);
      void this.act(card, send, async () => {
        const r = await postJson<PublishAnswer>('/api/reference-sets/publish', {
          sha256: set.sha256,
          stations: chosen.map((i) => i.value),
        });
        for (const i of chosen) i.checked = false;
        return `Sent to ${r.sentTo.join(', ')}`;
      });
    });
    return h(
      'article',
      { class: 'card held-set stack', 'data-sha256': set.sha256, 'data-product': set.productId },
      h(
        'h3',
        {},
        `${set.productId} · v${set.sourceVersion} from ${set.sourceStation} `,
        h('code', {}, short(set.sha256)),
      ),
      h(
        'p',
        { class: 'muted small' },
        `Tolerance band review > ${fmtScore(set.band.reviewAt)}, fail > ${fmtScore(set.band.failAt)} · backbone ` +
          `${set.backboneId ?? '—'} · ${(set.bytes / 1024).toFixed(0)} KB · reached the hub ${fmtTime(set.receivedAt)}`,
      ),
      form,
      error,
      h(
        'table',
        { class: 'grid deliveries' },
        h('thead', {}, h('tr', {}, ...['Bench', 'State', 'Bench check', 'On the bench'].map((t) => h('th', {}, t)))),
        rows,
      ),
    );
  }

  private row(card: Card, station: string, d: ReferenceSetDelivery): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-station': station, 'data-state': d.state },
      h('td', {}, station),
      h('td', { class: 'state' }, h('span', { class: `chip ${stateClass(d)}` }, stateText(d))),
      h('td', { class: 'check' }, checkText(d)),
      h('td', { class: 'activate' }, ...this.activation(card, station, d)),
    );
  }

  /** The button, with the false-alarm figure beside it: the lead activates with it in view. */
  private activation(card: Card, station: string, d: ReferenceSetDelivery): (HTMLElement | string)[] {
    if (d.state === 'active') return ['✓ Judging by it'];
    const waiting = activationPending(d);
    const refused = activationRefused(d);
    const button = h(
      'button',
      {
        type: 'button',
        class: 'good',
        disabled: d.state !== 'checked' || waiting,
        title: d.state === 'checked' ? null : 'The bench must hold and check it first',
      },
      waiting ? 'Activation sent…' : 'Activate on this bench',
    );
    button.addEventListener('click', () => {
      const question = `Activate ${card.set.productId} ${short(card.set.sha256)} on ${station}?\n\n${checkText(d)}`;
      if (!window.confirm(question)) return;
      void this.act(card, button, async () => {
        const r = await postJson<ActivateAnswer>('/api/reference-sets/activate', { sha256: card.set.sha256, station });
        return `Activation of v${r.version} sent to ${r.station}`;
      });
    });
    const beside = d.state === 'checked' ? h('span', { class: 'figure small' }, shortFigure(d)) : '';
    return [
      h('div', { class: 'row' }, button, beside),
      refused ? h('p', { class: 'form-error' }, `Activation refused: ${refused}`) : '',
    ];
  }

  /** One lead action: the button waits, the answer (or the API's error) is shown, the state is read again. */
  private async act(card: Card, button: HTMLButtonElement, work: () => Promise<string>): Promise<void> {
    button.disabled = true;
    card.error.textContent = '';
    try {
      notify(await work());
    } catch (err) {
      showError(card, err);
      return;
    } finally {
      button.disabled = false;
    }
    await this.refresh().catch((err) => showError(card, err));
  }
}
