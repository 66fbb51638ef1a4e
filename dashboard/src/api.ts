/**
 * The dashboard's only way to the server: the public HTTP API, with the session cookie the
 * browser holds and the session's CSRF token on every state-changing request.
 */
export type Scope = 'read' | 'write' | 'admin';

export interface Session {
  subject: string | null;
  scope: Scope;
  csrf_token: string;
  expires_at: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-chime-csrf'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  if (!response.ok) {
    const message = (parsed?.detail ?? parsed?.message ?? response.statusText) as string;
    throw new ApiError(response.status, message);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** The signed-in session, or null. */
export async function loadSession(): Promise<Session | null> {
  try {
    const session = await api.get<Session>('/ui/session');
    csrfToken = session.csrf_token;
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function signIn(token: string): Promise<Session> {
  const session = await api.post<Session>('/ui/session', { token });
  csrfToken = session.csrf_token;
  return session;
}

export async function signOut(): Promise<void> {
  await api.del('/ui/session');
  csrfToken = '';
}

const RANK: Record<Scope, number> = { read: 0, write: 1, admin: 2 };
export const allows = (session: Session, needed: Scope): boolean => RANK[session.scope] >= RANK[needed];

/** A query string from the set fields. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
