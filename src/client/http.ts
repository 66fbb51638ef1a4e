import { Pool, type Dispatcher } from 'undici';

/** The fetch wrapper every Chime client shares: JSON in and out, errors carrying status and detail. */

export class ChimeApiError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;
  /** The server's message (`detail` on /api/v1, `message` on the Dapr routes). */
  readonly detail: string;
  /** Chime's stable error code (see docs/errors.md), when the server gave one. */
  readonly code: string | undefined;
  /** The request field at fault, when the server named one. */
  readonly field: string | undefined;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const record = (body ?? {}) as Record<string, unknown>;
    const detail = String(record.detail ?? record.message ?? `HTTP ${status}`);
    super(detail);
    this.name = 'ChimeApiError';
    this.status = status;
    this.detail = detail;
    this.code = typeof record.code === 'string' ? record.code : undefined;
    this.field = typeof record.field === 'string' ? record.field : undefined;
    this.body = body;
  }
}

export interface HttpClientOptions {
  /** e.g. http://127.0.0.1:3500 */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** Per-request timeout, ms. @default 30000 */
  timeoutMs?: number;
  /** Keep-alive connections to the server. @default 128 */
  connections?: number;
}

/**
 * JSON over HTTP with undici's keep-alive pool: several times cheaper per request than
 * `fetch`, which matters to an SDK that enqueues thousands of jobs a second.
 */
export class HttpClient {
  private readonly origin: string;
  private readonly basePath: string;
  private readonly pool: Pool;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.pool = new Pool(this.origin, { connections: options.connections ?? 128, keepAliveTimeout: 30_000 });
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Record<string, unknown>): Promise<T> {
    return (await this.requestWithHeaders<T>(method, path, body, query)).body;
  }

  async requestWithHeaders<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, unknown>,
  ): Promise<{ body: T; headers: Record<string, string | string[] | undefined> }> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
      else search.set(key, String(value));
    }
    const qs = search.toString();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const response = await this.pool.request({
      method: method as Dispatcher.HttpMethod,
      path: `${this.basePath}${path}${qs ? `?${qs}` : ''}`,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await response.body.text();
    const parsed: unknown = text.length > 0 ? safeJson(text) : undefined;
    if (response.statusCode >= 400) throw new ChimeApiError(response.statusCode, parsed ?? { detail: text });
    return { body: parsed as T, headers: response.headers };
  }

  /** Closes the keep-alive connections (the process can exit without it: they are unref'd idle). */
  async close(): Promise<void> {
    await this.pool.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

/** Encodes one path segment (job names may hold spaces, colons, unicode). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
