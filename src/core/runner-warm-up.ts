/**
 * The loop a delivery warm-up runs at start (runtime/delivery/delivery-warm-up.ts for HTTP,
 * grpc/app-callback-warm-up.ts for gRPC apps): made-up callback jobs through a `JobRunner`
 * pointed at a listener of the server's own, so the first real callbacks do not run cold code.
 */
import type { Clock } from './clock.js';
import { AttemptAbort, type JobRunner } from './job-runner.js';
import { CALLBACK_QUEUE, type ClaimedJob, type Dialect } from './types.js';

/** Requests per lane: enough for the parser's and the runner's code to be compiled and reused. */
export const WARM_UP_REQUESTS_PER_LANE = 16;
/** Lanes in flight at once, so opening a connection is run through too, not only reusing one. */
export const WARM_UP_LANES = 4;

/**
 * Runs WARM_UP_LANES lanes of WARM_UP_REQUESTS_PER_LANE made-up callback jobs through
 * `runner`; how many it delivered. Rejects if the runner throws (the caller closes up).
 */
export async function runWarmUpJobs(runner: JobRunner, clock: Clock): Promise<number> {
  let delivered = 0;
  const lane = async (laneIndex: number): Promise<void> => {
    for (let i = 0; i < WARM_UP_REQUESTS_PER_LANE; i++) {
      const result = await runner.run(warmUpJob(laneIndex * WARM_UP_REQUESTS_PER_LANE + i, clock.now()), new AttemptAbort());
      if (result.ok) delivered++;
    }
  };
  await Promise.all(Array.from({ length: WARM_UP_LANES }, (_, laneIndex) => lane(laneIndex)));
  return delivered;
}

/** A callback job as a claim returns one; the dialects alternate so `--callback-style auto` runs both shapes. */
function warmUpJob(index: number, now: number): ClaimedJob {
  const dialect: Dialect = index % 2 === 0 ? 'dapr' : 'envelope';
  return {
    id: `warm-up-${index}`,
    scheduleId: null,
    name: `warm-up-${index}`,
    occurrence: now,
    runAt: now,
    status: 'running',
    attempts: 1,
    leaseOwner: null,
    leaseUntil: null,
    workerId: null,
    createdAt: now,
    startedAt: now,
    completedAt: null,
    result: null,
    error: null,
    cancelRequested: false,
    dialect,
    target: 'callback',
    queue: CALLBACK_QUEUE,
    taskName: null,
    taskVersion: null,
    priority: 'normal',
    payload: `{"i":${index}}`,
    failurePolicy: null,
    timeoutMs: null,
    tags: [],
    metadata: '{}',
    delivery: null,
    deliver: true,
  };
}
