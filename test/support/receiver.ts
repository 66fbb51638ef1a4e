/**
 * A callback receiver: an HTTP server that records every request with its arrival time and
 * answers with a configurable status (per path, or by a function).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  rawBody: string;
  /** performance.timeOrigin + performance.now() at arrival, ms. */
  at: number;
}

/** A status, or a status with headers and a body (Retry-After, Location, a custom answer). */
export type Reply = number | { status: number; headers?: Record<string, string>; body?: string };
export type Responder = (request: Received) => Reply | Promise<Reply>;

export class Receiver {
  readonly received: Received[] = [];
  private server: http.Server | undefined;
  respond: Responder = () => 200;

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        const entry: Received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          rawBody: raw,
          body: parseBody(raw),
          at: performance.timeOrigin + performance.now(),
        };
        this.received.push(entry);
        void Promise.resolve(this.respond(entry)).then((reply) => {
          const { status, headers = {}, body } = typeof reply === 'number' ? { status: reply } : reply;
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(body ?? (status < 300 ? '{"status":"success"}' : '{"status":"failed"}'));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Seed-style deliveries of one job name. */
  forJob(name: string): Received[] {
    return this.received.filter((r) => (r.body as { job_name?: string } | undefined)?.job_name === name || r.path === `/job/${encodeURIComponent(name)}`);
  }
}

/** JSON bodies parsed; anything else (a raw text target body) kept as the text. */
function parseBody(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Polls `check` until it holds (real time): for waiting on I/O that a virtual-clock step
 * started, never for waiting on scheduled time itself.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
