// The login page; lead pages answer 401/403 with this page as their body.
import { getSession } from './api.ts';
import { $, h } from './dom.ts';
import { loginForm, renderNav } from './nav.ts';

async function main(): Promise<void> {
  const session = await renderNav();
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
      onLeadPage
        ? 'This page is for workshop leads. Sign in to continue.'
        : 'Sign in to review items, change the product or maker, and manage reference sets.',
    ),
  );
  void getSession();
  (document.getElementById('login-name') as HTMLInputElement | null)?.focus();
}

void main();
