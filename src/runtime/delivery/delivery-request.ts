/**
 * What request one attempt of a callback job makes: its URL, method, body and headers. A job
 * with its own `target` uses it; the others go to the app URL in the server's callback style
 * (DESIGN.md, "Dapr compatibility"):
 * - `seed`: POST {app}/api/jobs/trigger with the envelope {"job_name","data","scheduled_time","actual_time"};
 * - `dapr`: POST {app}/job/{name} with the bare `data`, as the Dapr runtime does (bytes data
 *   scheduled over gRPC goes out as those bytes).
 */
import type { BodyShape, TargetMethod } from '../../core/delivery-spec.js';
import { formatRfc3339 } from '../../core/time-spec.js';
import type { CallbackStyle, ClaimedJob } from '../../core/types.js';
import { daprCallbackBody } from '../../core/job-data.js';

export type CallbackStyleSetting = CallbackStyle | 'auto';

export function callbackStyleFor(setting: CallbackStyleSetting, job: Pick<ClaimedJob, 'dialect'>): CallbackStyle {
  if (setting !== 'auto') return setting;
  return job.dialect === 'dapr' ? 'dapr' : 'envelope';
}

export interface DeliveryRequest {
  /** scheme://host:port: the connection pool it goes through. */
  origin: string;
  /** Path and query. */
  path: string;
  method: TargetMethod;
  /** null: no body (GET, DELETE). Bytes for Dapr bytes data (job-data.ts). */
  body: string | Buffer | null;
  contentType: string;
  /** The target's own headers (Chime's are added by the runner). */
  headers: Record<string, string>;
  /** A 404 counts as delivered (Dapr: the app has no handler for the job). */
  notFoundIsDelivered: boolean;
}

export interface DefaultTarget {
  appOrigin: string;
  /** The app URL's path without trailing slashes. */
  basePath: string;
  style: CallbackStyleSetting;
}

export function deliveryRequest(job: ClaimedJob, defaults: DefaultTarget, now: number): DeliveryRequest {
  const name = job.name ?? job.id;
  const target = job.delivery?.target ?? null;
  if (target === null) {
    const style = callbackStyleFor(defaults.style, job);
    return {
      origin: defaults.appOrigin,
      path: style === 'dapr' ? `${defaults.basePath}/job/${encodeURIComponent(name)}` : `${defaults.basePath}/api/jobs/trigger`,
      method: 'POST',
      body: style === 'dapr' ? daprCallbackBody(job.payload) : envelope(job, name, now),
      contentType: 'application/json',
      headers: {},
      notFoundIsDelivered: style === 'dapr',
    };
  }
  const bodyless = target.method === 'GET' || target.method === 'DELETE';
  const { body, contentType } = bodyless ? { body: null, contentType: 'application/json' } : shapedBody(target.body, job, name, now);
  const url = new URL(target.url);
  return {
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: target.method,
    body,
    contentType: target.headers['content-type'] ?? contentType,
    headers: target.headers,
    notFoundIsDelivered: false,
  };
}

function shapedBody(shape: BodyShape, job: ClaimedJob, name: string, now: number): { body: string | Buffer; contentType: string } {
  switch (shape) {
    case 'envelope':
      return { body: envelope(job, name, now), contentType: 'application/json' };
    case 'data':
      return { body: daprCallbackBody(job.payload), contentType: 'application/json' };
    case 'raw': {
      // A string payload goes out as its characters: a job can carry a form, XML or plain text.
      if (job.payload.startsWith('"')) return { body: JSON.parse(job.payload) as string, contentType: 'text/plain; charset=utf-8' };
      return { body: job.payload, contentType: 'application/json' };
    }
  }
}

/** The payload is stored as JSON text; splicing it in avoids a parse and re-stringify per firing. */
function envelope(job: ClaimedJob, name: string, now: number): string {
  return `{"job_name":${JSON.stringify(name)},"data":${job.payload},"scheduled_time":"${formatRfc3339(job.occurrence)}","actual_time":"${formatRfc3339(now)}"}`;
}
