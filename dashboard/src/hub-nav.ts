// The workshop hub's header: its pages, and who is signed in.
import type { SessionInfo } from './api.ts';
import { renderNavWith } from './nav.ts';

const HUB_PAGES = [
  ['/', 'Stations'],
  ['/review', 'Review'],
  ['/makers', 'Makers'],
  ['/benches', 'Benches'],
  ['/reference-sets', 'Reference sets'],
] as const;

export const renderHubNav = (): Promise<SessionInfo> => renderNavWith(HUB_PAGES, 'Workshop hub');
