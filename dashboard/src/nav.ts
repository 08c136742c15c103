// The header shared by every page: the brand, page links, who is logged in. The station's pages and the workshop
// hub's (hub-nav.ts) each pass their own list.
import { getSession, login, logout, type SessionInfo, ApiError } from './api.ts';
import { $, clear, h, notify } from './dom.ts';

export type NavPages = readonly (readonly [href: string, label: string])[];

const STATION_PAGES: NavPages = [
  ['/', 'Live'],
  ['/review', 'Review'],
  ['/makers', 'Makers'],
  ['/reference-sets', 'Reference sets'],
];

export const renderNav = (): Promise<SessionInfo> => renderNavWith(STATION_PAGES, 'Bench QA');

export async function renderNavWith(pages: NavPages, brand: string): Promise<SessionInfo> {
  const top = $('#top');
  const session = await getSession();
  clear(top);
  const here = location.pathname;
  top.append(
    h('a', { class: 'brand', href: '/' }, brand),
    h(
      'nav',
      {},
      ...pages.map(([href, label]) =>
        h('a', { href, class: href === here ? 'current' : '', 'aria-current': href === here ? 'page' : null }, label),
      ),
    ),
    h(
      'div',
      { class: 'who' },
      session.user
        ? h(
            'span',
            {},
            h('span', { class: 'user', 'data-testid': 'user' }, `${session.user.name} · ${session.user.role}`),
            ' ',
            h(
              'button',
              { class: 'link', type: 'button', onclick: () => void logout().then(() => location.reload()) },
              'Sign out',
            ),
          )
        : h('a', { href: `/login?next=${encodeURIComponent(here)}` }, 'Sign in'),
    ),
  );
  return session;
}

/** A name/password form; `onDone` runs after a successful login. */
export function loginForm(onDone: (s: SessionInfo) => void, hint = ''): HTMLFormElement {
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, id: 'login-name' });
  const password = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    id: 'login-password',
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'login-form' },
    hint ? h('p', { class: 'hint' }, hint) : null,
    h('label', { for: 'login-name' }, 'Name'),
    name,
    h('label', { for: 'login-password' }, 'Password'),
    password,
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    login(name.value.trim(), password.value).then(
      (s) => {
        notify(`Signed in as ${s.user?.name}`);
        onDone(s);
      },
      (err: unknown) => {
        error.textContent = err instanceof ApiError ? err.message : 'the station did not answer';
        password.value = '';
        password.focus();
      },
    );
  });
  return form;
}
