/**
 * Delivers callback jobs to the app over a keep-alive HTTP connection pool.
 *
 * Two styles (DESIGN.md, "Dapr compatibility"):
 * - `seed`: POST {app}/api/jobs/trigger with {"job_name","data","scheduled_time","actual_time"}
 *   (seed 000);
 * - `dapr`: POST {app}/job/{name} with the bare `data` as the body, as the Dapr runtime
 *   does (bytes data scheduled over gRPC goes out as those bytes); a 404 there means the app
 *   has no handler and counts as delivered (no retry).
 * `auto` picks per job: jobs created through the real-Dapr dialect (`/v1.0-alpha1`) get the
 * Dapr style, all others the seed style.
 */
import { Pool } from 'undici';
import { formatRfc3339 } from '../core/time-spec.js';
import type { CallbackStyle, ClaimedJob } from '../core/types.js';
import type { Clock } from '../core/clock.js';
import { daprCallbackBody } from './job-data.js';
import { abortReasonOf, type JobRunner, type RunResult } from './job-runner.js';

export type CallbackStyleSetting = CallbackStyle | 'auto';

export interface CallbackDeliveryOptions {
  /** The app's base URL, e.g. http://127.0.0.1:8000 (a path prefix is kept). */
  appUrl: string;
  style: CallbackStyleSetting;
  /** Keep-alive connections to the app; match the callback concurrency. */
  connections: number;
  /** Sent as `chime-node`, so an app behind several nodes can tell which one delivered. */
  nodeId?: string;
}

export function callbackStyleFor(setting: CallbackStyleSetting, job: Pick<ClaimedJob, 'dialect'>): CallbackStyle {
  if (setting !== 'auto') return setting;
  return job.dialect === 'dapr' ? 'dapr' : 'seed';
}

export class CallbackDelivery implements JobRunner {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(
    private readonly options: CallbackDeliveryOptions,
    private readonly clock: Clock,
  ) {
    const url = new URL(options.appUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // The attempt's own AbortSignal enforces JOB_TIMEOUT; undici's defaults (300 s) must not cut in first.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  async run(job: ClaimedJob, signal: AbortSignal): Promise<RunResult> {
    const style = callbackStyleFor(this.options.style, job);
    const name = job.name ?? job.id;
    const path =
      style === 'dapr' ? `${this.basePath}/job/${encodeURIComponent(name)}` : `${this.basePath}/api/jobs/trigger`;
    const body =
      style === 'dapr'
        ? daprCallbackBody(job.payload)
        : // The payload is stored as JSON text; splicing it in avoids a parse and re-stringify per firing.
          `{"job_name":${JSON.stringify(name)},"data":${job.payload},"scheduled_time":"${formatRfc3339(job.occurrence)}","actual_time":"${formatRfc3339(this.clock.now())}"}`;
    try {
      const response = await this.pool.request({
        method: 'POST',
        path,
        body,
        signal,
        headers: {
          'content-type': 'application/json',
          'chime-job-id': job.id,
          'chime-job-name': encodeURIComponent(name),
          'chime-attempt': String(job.attempts),
          'chime-scheduled-time': formatRfc3339(job.occurrence),
          ...(this.options.nodeId ? { 'chime-node': this.options.nodeId } : {}),
        },
      });
      const text = await response.body.text();
      const status = response.statusCode;
      if ((status >= 200 && status < 300) || (style === 'dapr' && status === 404)) {
        return { ok: true, httpStatus: status };
      }
      return {
        ok: false,
        httpStatus: status,
        error: { message: `app answered HTTP ${status}${text ? `: ${text.slice(0, 500)}` : ''}`, type: 'HttpError', traceback: null },
      };
    } catch (error) {
      const aborted = abortReasonOf(signal);
      if (aborted) return { ok: false, aborted, httpStatus: null };
      const message = (error as Error)?.message ?? String(error);
      return { ok: false, httpStatus: null, error: { message: `could not reach the app at ${this.options.appUrl}: ${message}`, type: 'ConnectionError', traceback: null } };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
