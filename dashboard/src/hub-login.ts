// The workshop hub's login page (see login-page.ts).
import { renderHubNav } from './hub-nav.ts';
import { loginPage } from './login-page.ts';

void loginPage(renderHubNav, 'Sign in as a workshop lead to see every bench: review, makers, benches, reference sets.');
