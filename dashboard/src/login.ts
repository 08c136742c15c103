// The station's login page (see login-page.ts).
import { loginPage } from './login-page.ts';
import { renderNav } from './nav.ts';

void loginPage(renderNav, 'Sign in to review items, change the product or maker, and manage reference sets.');
