/** Runs task jobs in this process: finds the handler by name and version and calls it. */
import type { ClaimedJob, JobErrorInfo } from '../core/types.js';
import type { AttemptAbort, JobRunner, RunResult } from '../core/job-runner.js';
import type { TaskDefinition } from '../core/tasks.js';

export class TaskRunner implements JobRunner {
  private readonly byName = new Map<string, TaskDefinition[]>();

  constructor(tasks: readonly TaskDefinition[]) {
    for (const task of tasks) {
      const versions = this.byName.get(task.name) ?? [];
      versions.push(task);
      this.byName.set(task.name, versions);
    }
  }

  /** The handler for a job: its version if it names one, else the last registered. */
  find(name: string, version: string | null): TaskDefinition | undefined {
    const versions = this.byName.get(name);
    if (!versions) return undefined;
    return version === null ? versions[versions.length - 1] : versions.find((t) => t.version === version);
  }

  async run(job: ClaimedJob, abort: AttemptAbort): Promise<RunResult> {
    const task = this.find(job.taskName ?? '', job.taskVersion);
    if (!task) {
      return failure({ message: `Task not found: ${job.taskName}${job.taskVersion ? ` (version ${job.taskVersion})` : ''}`, type: 'TaskNotFound', traceback: null });
    }
    const { args, kwargs } = JSON.parse(job.payload) as { args: unknown[]; kwargs: Record<string, unknown> };
    let scheduledAt: Date | undefined;
    let metadata: Record<string, unknown> | undefined;
    try {
      // Called here, not in a later turn: a handler that throws at once lands in the catch
      // below all the same, and a promise and a closure fewer per job is less for the young
      // collector (docs/benchmarks.md, "The task path's allocations").
      const value = await raceAbort(
        task.handler({
          args,
          kwargs,
          // Made only for a handler that reads them, once (see AttemptAbort): most read none.
          get signal() {
            return abort.signal;
          },
          jobId: job.id,
          attempt: job.attempts,
          queue: job.queue,
          get scheduledAt() {
            return (scheduledAt ??= new Date(job.occurrence));
          },
          get metadata() {
            return (metadata ??= JSON.parse(job.metadata) as Record<string, unknown>);
          },
        }),
        abort,
      );
      const aborted = abort.reason;
      if (aborted) return { ok: false, aborted, httpStatus: null };
      return { ok: true, httpStatus: null, result: JSON.stringify(value ?? null) };
    } catch (error) {
      const aborted = abort.reason;
      if (aborted) return { ok: false, aborted, httpStatus: null };
      return failure(errorInfo(error));
    }
  }

  async close(): Promise<void> {}
}

function failure(error: JobErrorInfo): RunResult {
  return { ok: false, httpStatus: null, error };
}

export function errorInfo(error: unknown): JobErrorInfo {
  if (error instanceof Error) return { message: error.message, type: error.name, traceback: error.stack ?? null };
  return { message: String(error), type: typeof error, traceback: null };
}

/**
 * Settles when the handler does or when the attempt is aborted, whichever is first: a
 * handler that ignores its signal cannot hold a slot past its timeout.
 */
function raceAbort<T>(work: T | PromiseLike<T>, abort: AttemptAbort): T | Promise<T> {
  if (abort.reason) return Promise.reject(abort.reason);
  // A handler that returned a value has nothing left to race.
  if (!isPromiseLike(work)) return work;
  return new Promise<T>((resolve, reject) => {
    const stopListening = abort.onAbort(() => reject(abort.reason));
    work.then(
      (value) => {
        stopListening();
        resolve(value);
      },
      (error: unknown) => {
        stopListening();
        reject(error);
      },
    );
  });
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}
