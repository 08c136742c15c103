// The station's logins: the shared sessions, CSRF and login limits (web/auth/) over the users in its SQLite store.
import { createAuth as createLogins, type Auth, type AuthOptions } from '../../../web/auth/index.ts';
import type { ServerStore } from '../types.ts';

export {
  access,
  type Auth,
  type AuthOptions,
  CSRF_HEADER,
  LEAD_ROLES,
  SESSION_COOKIE,
  sessionOf,
  userOf,
} from '../../../web/auth/index.ts';

export const createAuth = (store: ServerStore, opts: AuthOptions = {}): Auth => createLogins(store.users, opts);
