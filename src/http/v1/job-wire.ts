/**
 * Seed 003's job DTOs (`CreateJobDto`, `RunSyncJobDto`, the bulk body) → the TaskJobSpec the
 * service takes: snake_case names to domain words, seconds to milliseconds, the document's
 * defaults (priority `normal`, no args, no tags), and the `jobs[i]:` wording of a refused bulk
 * job. Every rule lives in the service (services/platform-job-spec.ts).
 */
import { ChimeError } from '../../core/errors.js';
import { JobSpecRefused, type TaskJobSpec } from '../../services/platform-job-spec.js';
import type { PlatformJobs } from '../../services/platform-jobs.js';
import type { NewJob } from '../../store/store.js';
import type { CreateJobDto, RunSyncJobDto } from './schemas.js';

/** Seconds as given on the wire → whole milliseconds; absent stays absent. */
export const wireMs = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : Math.round(seconds * 1000));

/** The fields a created job and a run-sync job share. */
function commonSpec(dto: CreateJobDto | RunSyncJobDto): TaskJobSpec {
  return {
    taskName: dto.task_name,
    taskVersion: dto.version,
    args: dto.args ?? [],
    kwargs: dto.kwargs ?? {},
    queue: dto.queue_name,
    priority: dto.priority ?? 'normal',
    timeoutMs: wireMs(dto.timeout),
    tags: [],
    metadata: dto.metadata ?? {},
    target: dto.target,
    onFailure: dto.on_failure,
    onSuccess: dto.on_success,
  };
}

/** `POST /api/v1/jobs` (and each job of the bulk body). */
export function taskJobSpecOf(dto: CreateJobDto): TaskJobSpec {
  // Assigned, not `{ ...commonSpec(dto), runAt, ... }`: see docs/architecture.md, "Per-job code".
  const spec: TaskJobSpec = commonSpec(dto);
  spec.runAt = dto.scheduled_at ?? undefined;
  spec.maxRetries = dto.max_retries;
  spec.retryDelayMs = wireMs(dto.retry_delay);
  spec.tags = dto.tags ?? [];
  spec.id = dto.job_id;
  return spec;
}

/** `POST /api/v1/jobs/run-sync`: the job, and whether to wait for a worker (`wait`). */
export function runSyncSpecOf(dto: RunSyncJobDto): { spec: TaskJobSpec; waitForWorker: boolean } {
  return { spec: commonSpec(dto), waitForWorker: dto.wait === true };
}

/**
 * `POST /api/v1/jobs/bulk`, all or none. A refused job of several is named by its place in
 * the body (`jobs[2]: task_name: ...`, field `jobs[2].task_name`); a body of one job answers
 * as `POST /jobs` does.
 */
export async function createJobBatch(jobs: PlatformJobs, dtos: readonly CreateJobDto[], traceparent: unknown): Promise<NewJob[]> {
  try {
    return await jobs.createMany(dtos.map(taskJobSpecOf), traceparent);
  } catch (error) {
    if (!(error instanceof JobSpecRefused)) throw error;
    const { index, error: refused } = error;
    if (dtos.length === 1) throw refused;
    throw new ChimeError(refused.code, `jobs[${index}]: ${refused.message}`, { field: `jobs[${index}].${refused.field ?? ''}` });
  }
}
