/**
 * Failure (and success) hooks: when a job fails for good (`job.dead_lettered` for callbacks,
 * `job.failed` for tasks) its `on_failure` URL, else the server-wide `--failure-hook-url`, is
 * called with the job, the last error and the attempt count; when an attempt succeeds, its
 * `on_success` URL.
 *
 * Each call becomes a callback job in the store (a hook job aimed at the URL, body shape
 * `data`), so it is signed, guarded, retried with backoff and survives a restart like every
 * other callback, and shows in the dead letters if the URL never answers. Its id is derived
 * from the job, the kind and the attempt, so a second event for the same outcome (another
 * node, a replay) inserts nothing: one hook call per outcome. The one window left is a crash
 * between the outcome's write and the hook job's insert (a few ms); closing it would mean
 * writing the hook inside every backend's outcome transaction. A job the reaper fails (its node
 * died during the last attempt, `lease.expired` with status failed) is read back and hooked too.
 */
import type { Clock } from '../core/clock.js';
import type { DeliverySpec } from '../core/delivery-spec.js';
import { isChimeError } from '../core/errors.js';
import { formatRfc3339 } from '../core/time-spec.js';
import { CALLBACK_QUEUE, type FailurePolicy, type JobErrorInfo } from '../core/types.js';
import type { NewJob, Store } from '../store/store.js';
import { jobRefOf, type JobRef, type LifecycleEvent, type LifecycleEvents } from '../core/lifecycle-events.js';

/** Hook calls back off from 1 s to 5 min over 10 retries (about 20 minutes in all). */
export const HOOK_FAILURE_POLICY: FailurePolicy = { kind: 'exponential', initialMs: 1000, maxIntervalMs: 300_000, multiplier: 2, jitter: 0.2, maxRetries: 10 };
const HOOK_TIMEOUT_MS = 30_000;

export type HookKind = 'failure' | 'success';

export interface FailureHooksOptions {
  /** Called when any job without its own `on_failure` fails for good. */
  serverFailureUrl: string | null;
  log: (level: 'warn' | 'error', message: string, error?: unknown) => void;
}

export class FailureHooks {
  private unsubscribe: (() => void) | null = null;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: LifecycleEvents,
    private readonly options: FailureHooksOptions,
  ) {}

  start(): void {
    this.unsubscribe ??= this.events.subscribe((event) => this.onEvent(event));
  }

  /** Stops listening and waits for hook jobs being inserted. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await Promise.all(this.pending);
  }

  private onEvent(event: LifecycleEvent): void {
    if (event.type === 'lease.expired') {
      // The reaper failed a job whose node died on its last attempt: the event has only the
      // id, so the job is read back first.
      if (event.status === 'failed') {
        this.track(
          this.store.getJob(event.jobId).then((job) => {
            if (!job) return;
            const ref = jobRefOf(job);
            const url = this.hookUrl('failure', ref);
            if (url !== null) return this.call(url, 'failure', job.target === 'callback' ? 'job.dead_lettered' : 'job.failed', ref, job.error, null, event.at);
          }),
        );
      }
      return;
    }
    if (event.type !== 'job.dead_lettered' && event.type !== 'job.failed' && event.type !== 'job.succeeded') return;
    const kind = event.type === 'job.succeeded' ? 'success' : 'failure';
    // Found before anything is tracked: nearly every outcome has no hook, and a promise chain
    // per succeeded job was 7% of what a busy worker allocated (docs/benchmarks.md, "The task
    // path's allocations").
    const url = this.hookUrl(kind, event.job);
    if (url !== null) this.track(this.call(url, kind, event.type, event.job, event.error, event.httpStatus, event.at));
  }

  /** The URL an outcome of this kind calls, or null for none. */
  private hookUrl(kind: HookKind, ref: JobRef): string | null {
    const delivery = ref.delivery;
    if (delivery?.hookOf) return null; // a hook job's own outcome calls no hook
    return kind === 'success' ? (delivery?.onSuccess ?? null) : (delivery?.onFailure ?? this.options.serverFailureUrl);
  }

  private async call(url: string, kind: HookKind, type: LifecycleEvent['type'], ref: JobRef, error: JobErrorInfo | null, httpStatus: number | null, at: number): Promise<void> {
    await this.store
      .insertJobs([hookJob(url, kind, type, ref, error, httpStatus, at)])
      .then(() => undefined)
      .catch((error: unknown) => {
        if (isChimeError(error) && error.code === 'JOB_EXISTS') return; // already called for this outcome
        throw error;
      });
  }

  private track(work: Promise<unknown>): void {
    const tracked: Promise<void> = work
      .then(() => undefined)
      .catch((error: unknown) => this.options.log('error', 'could not record a hook call', error))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** The callback job that calls one hook URL. */
export function hookJob(
  url: string,
  kind: HookKind,
  type: LifecycleEvent['type'],
  job: JobRef,
  error: JobErrorInfo | null,
  httpStatus: number | null,
  at: number,
): NewJob {
  const body = {
    type,
    at: formatRfc3339(at),
    job: {
      id: job.jobId,
      name: job.name,
      task_name: job.taskName,
      schedule_id: job.scheduleId,
      queue: job.queue,
      scheduled_time: formatRfc3339(job.occurrence),
      data: JSON.parse(job.payload) as unknown,
    },
    attempts: job.attempt,
    error,
    http_status: httpStatus,
  };
  const delivery: DeliverySpec = {
    target: { url, method: 'POST', headers: {}, body: 'data' },
    onFailure: null,
    onSuccess: null,
    hookOf: job.jobId,
  };
  return {
    id: `${job.jobId}.${kind}-hook.${job.attempt}`,
    scheduleId: null,
    name: `${job.name ?? job.taskName ?? job.jobId}.${kind}-hook`,
    occurrence: at,
    runAt: at,
    target: 'callback',
    queue: CALLBACK_QUEUE,
    taskName: null,
    taskVersion: null,
    priority: 'high',
    payload: JSON.stringify(body),
    failurePolicy: HOOK_FAILURE_POLICY,
    timeoutMs: HOOK_TIMEOUT_MS,
    tags: ['hook'],
    metadata: '{}',
    delivery,
    createdAt: at,
    // Dapr-style callback jobs: a hook that never gets through is listed with the dead letters.
    dialect: 'envelope',
  };
}
