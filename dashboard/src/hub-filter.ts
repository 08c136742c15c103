// The station filter every hub page shares: a select of the stations the hub knows, kept in the address (?station=)
// so a reload or a shared link shows the same bench.
import { getJson } from './api.ts';
import { $, h } from './dom.ts';
import type { StationStatus } from './hub-types.ts';

export async function stationFilter(onChange: (station: string) => void): Promise<() => string> {
  const select = $('#station') as HTMLSelectElement;
  const stations = await getJson<StationStatus[]>('/api/stations');
  select.append(...stations.map((s) => h('option', { value: s.station }, s.station)));
  const wanted = new URLSearchParams(location.search).get('station') ?? '';
  if (stations.some((s) => s.station === wanted)) select.value = wanted;
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    if (select.value) url.searchParams.set('station', select.value);
    else url.searchParams.delete('station');
    history.replaceState(null, '', url);
    onChange(select.value);
  });
  return () => select.value;
}

/** A query string of the given parameters, leaving out the empty ones ("all"). */
export function query(params: Record<string, string | number>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Whether the page shows what it last asked for: 'false' while loading, 'true' once drawn. */
export function loaded(done: boolean): void {
  document.body.dataset.loaded = String(done);
}
