// Talking to the station: JSON over fetch, with the session's CSRF token on every POST.
import type { Socket } from 'socket.io-client';

export interface SessionInfo {
  user: { name: string; role: 'viewer' | 'lead' | 'admin' } | null;
  csrfToken: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What to show a person for a failed call: the station's own message when it answered. */
export const errorText = (err: unknown): string => (err instanceof ApiError ? err.message : String(err));

let session: Promise<SessionInfo> | null = null;

/** The current session (created anonymously by the station on first call). */
export function getSession(refresh = false): Promise<SessionInfo> {
  if (refresh || !session) session = getJson<SessionInfo>('/api/session');
  return session;
}

async function parse<T>(res: Response): Promise<T> {
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('application/json') ? await res.json() : await res.text();
  if (!res.ok) {
    const message = typeof body === 'object' && body && 'error' in body ? String(body.error) : `HTTP ${res.status}`;
    throw new ApiError(res.status, message);
  }
  return body as T;
}

export async function getJson<T>(url: string): Promise<T> {
  return parse<T>(await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }));
}

export async function postJson<T>(url: string, body: unknown = {}): Promise<T> {
  const { csrfToken } = await getSession();
  const send = (token: string) =>
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(body),
    });
  let res = await send(csrfToken);
  // The station restarted (sessions are in memory): fetch a fresh session once and retry.
  if (res.status === 403) {
    const fresh = await getSession(true);
    if (fresh.csrfToken !== csrfToken) res = await send(fresh.csrfToken);
  }
  return parse<T>(res);
}

export async function login(name: string, password: string): Promise<SessionInfo> {
  const info = await postJson<SessionInfo>('/api/login', { name, password });
  session = Promise.resolve(info);
  return info;
}

export async function logout(): Promise<void> {
  await postJson('/api/logout');
  session = null;
}

declare global {
  interface Window {
    io?: (opts?: Record<string, unknown>) => Socket;
  }
}

/** The socket.io connection (client script served by the station at /vendor/socket.io.min.js). */
export function connect(): Socket {
  if (!window.io) throw new Error('socket.io client script did not load');
  return window.io({ transports: ['websocket', 'polling'] });
}

export const isLead = (s: SessionInfo) => s.user?.role === 'lead' || s.user?.role === 'admin';
