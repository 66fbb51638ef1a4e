import type { ClaimedJob } from '../../core/types.js';
import type { AttemptAbort, JobRunner, RunResult } from '../../core/job-runner.js';

/**
 * With gRPC app callbacks (`--app-protocol grpc`), jobs that name their own HTTP `target`
 * still go out over HTTP (signed and guarded); the others reach the app over gRPC.
 */
export class TargetRoutingRunner implements JobRunner {
  constructor(
    private readonly app: JobRunner,
    private readonly http: JobRunner,
  ) {}

  private runnerFor(job: ClaimedJob): JobRunner {
    return job.delivery?.target ? this.http : this.app;
  }

  admit(job: ClaimedJob): boolean {
    const runner = this.runnerFor(job);
    return runner.admit ? runner.admit(job) : true;
  }

  prepare(job: ClaimedJob): void {
    this.runnerFor(job).prepare?.(job);
  }

  run(job: ClaimedJob, abort: AttemptAbort): Promise<RunResult> {
    return this.runnerFor(job).run(job, abort);
  }

  async close(): Promise<void> {
    await Promise.all([this.app.close(), this.http.close()]);
  }
}
