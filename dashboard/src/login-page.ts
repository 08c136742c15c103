// The login page; lead pages answer 401/403 with this page as their body. The station's (login.ts) and the workshop
// hub's (hub-login.ts) differ only in their header and their words.
import { getSession, type SessionInfo } from './api.ts';
import { $, h } from './dom.ts';
import { loginForm } from './nav.ts';

export async function loginPage(nav: () => Promise<SessionInfo>, why: string): Promise<void> {
  const session = await nav();
  const box = $('#login');
  const onLeadPage = location.pathname !== '/login';
  const next = new URLSearchParams(location.search).get('next');
  const target = onLeadPage
    ? location.pathname + location.search
    : next?.startsWith('/') && !next.startsWith('//')
      ? next
      : '/';
  if (session.user && onLeadPage) {
    box.append(
      h(
        'p',
        { class: 'hint' },
        `You are signed in as ${session.user.name} (${session.user.role}). This page needs a lead login.`,
      ),
    );
  }
  box.append(
    loginForm(
      () => location.assign(target),
      onLeadPage ? 'This page is for workshop leads. Sign in to continue.' : why,
    ),
  );
  void getSession();
  (document.getElementById('login-name') as HTMLInputElement | null)?.focus();
}
