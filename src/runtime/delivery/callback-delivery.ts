/**
 * Delivers callback jobs over keep-alive HTTP connection pools, one per target origin: to the
 * app URL in the server's callback style (see delivery-request.ts), or to a job's own
 * `target`. Every request is signed (Standard Webhooks headers, webhook-signing.ts), checked
 * by the outbound guard (outbound-guard.ts), and its answer read only up to a cap.
 */
import type { EventEmitter } from 'node:events';
import type { ClaimedJob } from '../../core/types.js';
import type { Clock } from '../../core/clock.js';
import { formatRfc3339 } from '../../core/time-spec.js';
import { deliveryRequest, type CallbackStyleSetting, type DefaultTarget, type DeliveryRequest } from './delivery-request.js';
import type { AttemptAbort, JobRunner, RunResult } from '../../core/job-runner.js';
import type { OutboundGuard } from './outbound-guard.js';
import { readCapped, retryAfterMs, RESPONSE_KEPT_BYTES } from './response-reading.js';
import { TargetPools } from './target-pools.js';
import type { WebhookSigner } from './webhook-signing.js';

export { callbackStyleFor, type CallbackStyleSetting } from './delivery-request.js';

export interface CallbackDeliveryOptions {
  /** The app's base URL, e.g. http://127.0.0.1:8000 (a path prefix is kept). */
  appUrl: string;
  style: CallbackStyleSetting;
  /** Keep-alive connections to the app; match the callback concurrency. */
  connections: number;
  /** Requests in flight to any one target other than the app URL. @default connections */
  targetConnections?: number;
  /** Sent as `chime-node`, so an app behind several nodes can tell which one delivered. */
  nodeId?: string;
  /** Signs every request; absent: unsigned (tests and the unsigned benchmark variant). */
  signer?: WebhookSigner | null;
  /** Checks targets and the addresses they resolve to; absent: only the app URL is trusted. */
  guard: OutboundGuard;
  /** Sent as `dapr-api-token` on every request (Dapr's APP_API_TOKEN). */
  appApiToken?: string | null;
  /** The W3C `traceparent` sent with each attempt. @default the one stored with the job */
  traceparent?: (job: ClaimedJob) => string | null;
}

/** Redirects followed, each to an allowed place only. */
const MAX_REDIRECTS = 3;

export class CallbackDelivery implements JobRunner {
  private readonly pools: TargetPools;
  private readonly defaults: DefaultTarget;

  constructor(
    private readonly options: CallbackDeliveryOptions,
    private readonly clock: Clock,
  ) {
    const url = new URL(options.appUrl);
    this.defaults = { appOrigin: url.origin, basePath: url.pathname.replace(/\/+$/, ''), style: options.style };
    this.pools = new TargetPools({
      appOrigin: url.origin,
      appConnections: options.connections,
      targetConnections: options.targetConnections ?? options.connections,
      guard: options.guard,
    });
  }

  /** A job waits (claimed, not started) while its target has every connection busy. */
  admit(job: ClaimedJob): boolean {
    const target = job.delivery?.target;
    return this.pools.admit(target ? originOf(target.url) : this.defaults.appOrigin);
  }

  /** The job was claimed ahead of its due time: its target gets a connection ready if it has none. */
  prepare(job: ClaimedJob): void {
    const target = job.delivery?.target;
    this.pools.prepare(target ? originOf(target.url) : this.defaults.appOrigin);
  }

  async run(job: ClaimedJob, abort: AttemptAbort): Promise<RunResult> {
    let request: DeliveryRequest = deliveryRequest(job, this.defaults, this.clock.now());
    const headers = this.headersFor(job, request);
    try {
      for (let hop = 0; ; hop++) {
        const refused = this.refusal(request);
        if (refused) return failure(null, `outbound guard: ${refused}`, 'TargetNotAllowed');
        const { pool, release } = this.pools.acquire(request.origin);
        try {
          // The attempt's abort in the EventEmitter shape undici takes (see AttemptAbort): no
          // AbortController, and no listener on one, per callback.
          const signal = abort as unknown as EventEmitter;
          const response = await pool.request({ method: request.method, path: request.path, body: request.body, signal, headers });
          const status = response.statusCode;
          const location = response.headers.location;
          if (status >= 300 && status < 400 && typeof location === 'string' && hop < MAX_REDIRECTS) {
            await response.body.dump();
            request = redirected(request, location, status);
            continue;
          }
          const text = await readCapped(response.body);
          if ((status >= 200 && status < 300) || (request.notFoundIsDelivered && status === 404)) {
            return { ok: true, httpStatus: status, response: text.slice(0, RESPONSE_KEPT_BYTES) };
          }
          const result = failure(status, `app answered HTTP ${status}${text ? `: ${text.slice(0, 500)}` : ''}`, 'HttpError');
          result.response = text.slice(0, RESPONSE_KEPT_BYTES);
          if (status === 429 || status === 503) result.retryAfterMs = retryAfterMs(response.headers['retry-after'], this.clock.now());
          return result;
        } finally {
          release();
        }
      }
    } catch (error) {
      const aborted = abort.reason;
      if (aborted) return { ok: false, aborted, httpStatus: null };
      const message = (error as Error)?.message ?? String(error);
      const guard = (error as { code?: string })?.code === 'ECHIMEGUARD';
      return failure(null, guard ? message : `could not reach ${request.origin}: ${message}`, guard ? 'TargetNotAllowed' : 'ConnectionError');
    }
  }

  /** Why the guard refuses this request's URL now (the allowlist may have changed since creation). */
  private refusal(request: DeliveryRequest): string | null {
    if (request.origin === this.defaults.appOrigin) return null;
    return this.options.guard.refusal(`${request.origin}${request.path}`);
  }

  private headersFor(job: ClaimedJob, request: DeliveryRequest): Record<string, string> {
    const name = job.name ?? job.id;
    // Copied, then assigned (ours win over the job's own): a spread followed by more
    // properties takes V8's slow path (docs/architecture.md, "Per-job code").
    const headers: Record<string, string> = Object.assign({}, request.headers);
    headers['content-type'] = request.contentType;
    headers['chime-job-id'] = job.id;
    headers['chime-job-name'] = encodeURIComponent(name);
    headers['chime-attempt'] = String(job.attempts);
    headers['chime-scheduled-time'] = formatRfc3339(job.occurrence);
    if (this.options.nodeId) headers['chime-node'] = this.options.nodeId;
    if (this.options.appApiToken) headers['dapr-api-token'] = this.options.appApiToken;
    const traceparent = this.options.traceparent ? this.options.traceparent(job) : (job.traceparent ?? null);
    if (traceparent) headers.traceparent = traceparent;
    // webhook-id: the job row stands for one occurrence, so its id is the same on every retry
    // of that occurrence and a receiver can drop duplicates by it.
    if (this.options.signer) Object.assign(headers, this.options.signer.headers(job.id, Math.floor(this.clock.now() / 1000), request.body ?? ''));
    return headers;
  }

  async close(): Promise<void> {
    await this.pools.close();
  }
}

/** Origins of target URLs, remembered: admit() runs for every held job each time a slot frees. */
const origins = new Map<string, string>();
function originOf(url: string): string {
  let origin = origins.get(url);
  if (origin === undefined) {
    if (origins.size >= 10_000) origins.clear();
    origin = new URL(url).origin;
    origins.set(url, origin);
  }
  return origin;
}

function failure(httpStatus: number | null, message: string, type: string): RunResult {
  return { ok: false, httpStatus, error: { message, type, traceback: null } };
}

/** 307 and 308 keep the method and body; 301, 302 and 303 become a GET without one (as fetch does). */
function redirected(request: DeliveryRequest, location: string, status: number): DeliveryRequest {
  const url = new URL(location, `${request.origin}${request.path}`);
  const keep = status === 307 || status === 308;
  return {
    ...request,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: keep ? request.method : 'GET',
    body: keep ? request.body : null,
  };
}
