// The hub's Stations page: every bench online or offline (its retained status), its newest event, the station-
// sequence the hub has reached, gaps, and how late events arrive. Refreshed every 10 s.
import { errorText, getJson } from './api.ts';
import { $, clear, fmtTime, h, notify } from './dom.ts';
import { loaded } from './hub-filter.ts';
import { renderHubNav } from './hub-nav.ts';
import type { StationStatus } from './hub-types.ts';

const REFRESH_MS = 10_000;

/** 850 ms, 12 s, 4 min, 3 h: a lag read at a glance. */
function fmtDuration(ms: number | null): string {
  if (ms === null) return '—';
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 60_000) return `${Math.round(ms / 1000)} s`;
  if (a < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const when = (t: number | null) => (t === null ? '—' : fmtTime(t));

function row(s: StationStatus): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-station': s.station },
    h('td', {}, h('strong', {}, s.station)),
    h(
      'td',
      { class: 'status' },
      h('span', { class: s.online ? 'online' : 'offline' }, s.online ? '● Online' : '○ Offline'),
      s.statusAt === null ? null : h('span', { class: 'muted small' }, ` since ${fmtTime(s.statusAt)}`),
    ),
    h('td', {}, when(s.lastEventAt)),
    h('td', { class: 'num last-seq' }, s.lastSeq ?? '—'),
    h('td', { class: 'num missing' }, s.missing),
    h('td', { class: 'num lag' }, fmtDuration(s.lagMs)),
    h('td', {}, s.productId ?? '—'),
    h('td', {}, s.makerId ?? '—'),
  );
}

async function load(): Promise<void> {
  let stations: StationStatus[];
  try {
    stations = await getJson<StationStatus[]>('/api/stations');
  } catch (err) {
    notify(errorText(err), 'error');
    return;
  }
  const body = $('#stations-body');
  clear(body);
  if (stations.length === 0)
    body.append(h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No station has reported to this hub yet.')));
  body.append(...stations.map(row));
  loaded(true);
}

async function main(): Promise<void> {
  await renderHubNav();
  await load();
  window.setInterval(() => void load(), REFRESH_MS);
}

void main();
