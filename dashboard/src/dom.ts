// Tiny DOM helpers: build elements without innerHTML (nothing from the server is ever parsed as HTML).

type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function s(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

export function $(selector: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`page is missing ${selector}`);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}

/** Scores are distances of arbitrary scale: 3 significant digits reads well at any scale. */
export function fmtScore(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

export function fmtPct(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(x < 0.1 && x > 0 ? 1 : 0)}%`;
}

export function fmtTime(ms: number): string {
  const d = new Date(ms);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const sameYear = d.getFullYear() === today.getFullYear();
  return sameDay
    ? time
    : `${d.toLocaleDateString([], { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) })} ${time}`;
}

export const VERDICT_TEXT: Record<string, string> = {
  pass: 'Pass',
  review: 'Review',
  fail: 'Fail',
  unjudged: 'Not judged',
};
/** A symbol beside the colour, so the verdict never relies on colour alone. */
export const VERDICT_MARK: Record<string, string> = { pass: '✓', review: '?', fail: '✕', unjudged: '–' };

export function verdictChip(verdict: string): HTMLElement {
  return h(
    'span',
    { class: `chip v-${verdict}` },
    `${VERDICT_MARK[verdict] ?? ''} ${VERDICT_TEXT[verdict] ?? verdict}`,
  );
}

/** Show a message in the page's status line (role=status, so screen readers hear it). */
export function notify(message: string, kind: 'info' | 'error' = 'info'): void {
  let bar = document.getElementById('notice');
  if (!bar) {
    bar = h('div', { id: 'notice', role: 'status' });
    document.body.append(bar);
  }
  bar.textContent = message;
  bar.className = `notice ${kind}`;
  window.clearTimeout(Number(bar.dataset.timer));
  bar.dataset.timer = String(window.setTimeout(() => bar!.classList.add('hidden'), kind === 'error' ? 8000 : 4000));
}
