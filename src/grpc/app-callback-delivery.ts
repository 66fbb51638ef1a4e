/**
 * Delivers callback jobs to a gRPC app (`--app-protocol grpc`), as the Dapr 1.18 runtime does:
 * `AppCallback.OnJobEvent`, falling back to `AppCallbackAlpha.OnJobEventAlpha1` when the app
 * answers UNIMPLEMENTED, with the job's name, its data as `google.protobuf.Any`, method
 * `job/{name}`. OK is success; NOT_FOUND counts as delivered without retry (Dapr's rule, the
 * twin of HTTP 404); any other status fails the attempt, and the engine applies the job's
 * failure policy, history and dead-lettering exactly as for HTTP delivery.
 */
import { credentials, Metadata, status as GrpcStatus, type Client, type ServiceError } from '@grpc/grpc-js';
import { formatRfc3339 } from '../core/time-spec.js';
import type { ClaimedJob } from '../core/types.js';
import type { AttemptAbort, JobRunner, RunResult } from '../core/job-runner.js';
import { anyFromJobData } from './any-data.js';
import { daprService } from './proto-files.js';

export interface AppCallbackDeliveryOptions {
  /** host:port of the app's gRPC server. */
  address: string;
  nodeId?: string;
  /** Sent as `dapr-api-token` metadata on every call (Dapr's APP_API_TOKEN). */
  appApiToken?: string | null;
}

type UnaryMethod = (request: object, metadata: Metadata, callback: (error: ServiceError | null) => void) => { cancel(): void };

/** The app's host:port from `--app-url` (http://127.0.0.1:8000 → 127.0.0.1:8000). */
export function appGrpcAddress(appUrl: string): string {
  const url = new URL(appUrl);
  return `${url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

export class AppCallbackDelivery implements JobRunner {
  private readonly stable: Client;
  private readonly alpha: Client;
  /** Set once the app answers UNIMPLEMENTED to OnJobEvent: it serves only the alpha name. */
  private alphaOnly = false;

  constructor(private readonly options: AppCallbackDeliveryOptions) {
    const creds = credentials.createInsecure();
    // Reconnect to a restarted app within a second: grpc-js's default backoff grows to 120 s,
    // and every attempt made while the channel waits fails at once, burning the job's retries.
    const channelOptions = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000 };
    this.stable = new (daprService('AppCallback'))(options.address, creds, channelOptions);
    // One HTTP/2 connection for both services.
    this.alpha = new (daprService('AppCallbackAlpha'))(options.address, creds, { channelOverride: this.stable.getChannel() });
  }

  async run(job: ClaimedJob, abort: AttemptAbort): Promise<RunResult> {
    const name = job.name ?? job.id;
    const data = anyFromJobData(JSON.parse(job.payload) as unknown);
    const request = { name, data, method: `job/${name}`, content_type: data.type_url, http_extension: { verb: 'POST' } };
    const metadata = new Metadata();
    metadata.set('chime-job-id', job.id);
    metadata.set('chime-attempt', String(job.attempts));
    metadata.set('chime-scheduled-time', formatRfc3339(job.occurrence));
    if (this.options.nodeId) metadata.set('chime-node', this.options.nodeId);
    // APP_API_TOKEN: Dapr sends it to gRPC apps as `dapr-api-token` metadata too.
    if (this.options.appApiToken) metadata.set('dapr-api-token', this.options.appApiToken);

    let error = this.alphaOnly ? await this.call(this.alpha, 'OnJobEventAlpha1', request, metadata, abort) : await this.call(this.stable, 'OnJobEvent', request, metadata, abort);
    if (error?.code === GrpcStatus.UNIMPLEMENTED && !this.alphaOnly) {
      error = await this.call(this.alpha, 'OnJobEventAlpha1', request, metadata, abort);
      if (error?.code !== GrpcStatus.UNIMPLEMENTED) this.alphaOnly = true;
    }
    if (!error || error.code === GrpcStatus.NOT_FOUND) return { ok: true, httpStatus: null };
    const aborted = abort.reason;
    if (aborted) return { ok: false, aborted, httpStatus: null };
    const codeName = GrpcStatus[error.code] ?? String(error.code);
    if (error.code === GrpcStatus.UNAVAILABLE) {
      return { ok: false, httpStatus: null, error: { message: `could not reach the app at ${this.options.address}: ${error.details}`, type: 'ConnectionError', traceback: null } };
    }
    return { ok: false, httpStatus: null, error: { message: `app answered gRPC ${codeName}${error.details ? `: ${error.details.slice(0, 500)}` : ''}`, type: 'GrpcError', traceback: null } };
  }

  private call(client: Client, method: string, request: object, metadata: Metadata, abort: AttemptAbort): Promise<ServiceError | null> {
    return new Promise((resolve) => {
      const invoke = (client as unknown as Record<string, UnaryMethod>)[method]!.bind(client);
      let stopListening = (): void => {};
      const pending = invoke(request, metadata, (error) => {
        stopListening();
        resolve(error);
      });
      stopListening = abort.onAbort(() => pending.cancel());
    });
  }

  async close(): Promise<void> {
    this.alpha.close();
    this.stable.close();
  }
}
