/**
 * Log lines read from the lifecycle event stream: a WARN for every retried, dead-lettered or
 * failed firing, naming the job, the attempt and the reason (HTTP status, error, timeout);
 * DEBUG for the rest. Failure lines are rate limited: an outage (the app down, every callback
 * failing) writes the first few of each window and then one line counting the rest.
 */
import type { JobRef, LifecycleEvent, LifecycleListener } from '../core/lifecycle-events.js';
import type { Logger } from './logger.js';

export interface EventLogOptions {
  /** Failure lines written per window before the rest are only counted. @default 10 */
  burst?: number;
  /** @default 10000 */
  windowMs?: number;
  /** @default Date.now */
  clock?: () => number;
}

const FAILURE_VERBS = { 'job.retried': 'will retry', 'job.dead_lettered': 'dead-lettered', 'job.failed': 'failed' } as const;

export function createEventLog(logger: Logger, options: EventLogOptions = {}): LifecycleListener {
  const burst = options.burst ?? 10;
  const windowMs = options.windowMs ?? 10_000;
  const clock = options.clock ?? Date.now;
  let windowStart = Number.NEGATIVE_INFINITY;
  let written = 0;
  let suppressed: Record<string, number> = {};

  const flushSuppressed = (): void => {
    const counts = Object.entries(suppressed);
    if (counts.length === 0) return;
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    const detail = counts.map(([verb, n]) => `${n} ${verb}`).join(', ');
    logger.log('warn', `${total} more failed firing(s) not logged one by one in the last ${Math.round(windowMs / 1000)} s (${detail})`, undefined, { suppressed: total });
    suppressed = {};
  };

  return (event: LifecycleEvent) => {
    if (event.type === 'job.retried' || event.type === 'job.dead_lettered' || event.type === 'job.failed') {
      const now = clock();
      if (now - windowStart >= windowMs) {
        flushSuppressed();
        windowStart = now;
        written = 0;
      }
      const verb = FAILURE_VERBS[event.type];
      if (written >= burst) {
        suppressed[verb] = (suppressed[verb] ?? 0) + 1;
        return;
      }
      written++;
      const { job } = event;
      const reason = event.error?.message ?? (event.outcome === 'timeout' ? 'timed out' : 'attempt failed');
      jobLogger(logger, job, event.nodeId).log('warn', `job ${job.name ?? job.jobId} attempt ${job.attempt} ${verb}: ${reason}`, undefined, {
        outcome: event.outcome,
        http_status: event.httpStatus,
        error_type: event.error?.type ?? null,
        retry_at: event.retryAt === null ? null : new Date(event.retryAt).toISOString(),
      });
      return;
    }
    // Fired and succeeded at debug only: at info, a busy node would write a line per job.
    if ((event.type === 'job.fired' || event.type === 'job.succeeded') && logger.pino.isLevelEnabled('debug')) {
      const { job } = event;
      jobLogger(logger, job, event.nodeId).log('debug', `job ${job.name ?? job.jobId} attempt ${job.attempt} ${event.type === 'job.fired' ? 'fired' : 'succeeded'}`, undefined, {
        ...(event.type === 'job.fired' ? { late_ms: event.lateMs } : { duration_ms: event.durationMs, http_status: event.httpStatus }),
      });
    }
  };
}

/** A child logger whose lines name the job: `job_id`, `job_name`, `queue`, `attempt`, `node`. */
export function jobLogger(logger: Logger, job: JobRef, node: string | null): Logger {
  return logger.child({ job_id: job.jobId, job_name: job.name ?? job.taskName, queue: job.queue, attempt: job.attempt, node });
}
