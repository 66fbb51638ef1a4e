/**
 * Delivers a callback job to a broker topic instead of the app (the seeds' "publish to
 * task-reminders"), when the job names one (`topic` on the Dapr API, `chime_topic` in its
 * metadata); every other job goes on to the HTTP callback runner.
 *
 * The message is a CloudEvent of type `dev.chime.job.due` whose `data` is the body the app
 * callback would get ({job_name, data, scheduled_time, actual_time}); its id is the same for
 * every attempt of one firing, so consumers (and JetStream) drop a re-sent copy. The attempt
 * succeeds once the broker acknowledged it, and fails (retried per the job's policy) otherwise.
 */
import { formatRfc3339 } from '../core/time-spec.js';
import type { Clock } from '../core/clock.js';
import type { ClaimedJob } from '../core/types.js';
import { jobTopic } from '../core/job-event-choice.js';
import type { EventSink } from './sink.js';
import type { AttemptAbort, JobRunner, RunResult } from '../core/job-runner.js';

export const TOPIC_DELIVERY_TYPE = 'dev.chime.job.due';

export class TopicDelivery implements JobRunner {
  constructor(
    private readonly sink: EventSink | null,
    private readonly next: JobRunner,
    private readonly clock: Clock,
    private readonly source: string,
  ) {}

  /** A topic job starts at once; the others as the next runner's per-target limits allow. */
  admit(job: ClaimedJob): boolean {
    if (jobTopic(job.metadata) !== null) return true;
    return this.next.admit ? this.next.admit(job) : true;
  }

  /** A job for the app gets the next runner's preparation (a connection opened ahead). */
  prepare(job: ClaimedJob): void {
    if (jobTopic(job.metadata) === null) this.next.prepare?.(job);
  }

  async run(job: ClaimedJob, abort: AttemptAbort): Promise<RunResult> {
    const topic = jobTopic(job.metadata);
    if (topic === null) return this.next.run(job, abort);
    if (!this.sink) {
      const message = `job "${job.name ?? job.id}" is delivered to topic "${topic}", but this server has no --events-url`;
      return { ok: false, httpStatus: null, error: { message, type: 'NoEventSink', traceback: null } };
    }
    const name = job.name ?? job.id;
    const now = this.clock.now();
    const id = `${job.id}.due`;
    const data = `{"job_name":${JSON.stringify(name)},"data":${job.payload},"scheduled_time":"${formatRfc3339(job.occurrence)}","actual_time":"${formatRfc3339(now)}"}`;
    const json =
      `{"specversion":"1.0","id":"${id}","source":${JSON.stringify(this.source)},"type":"${TOPIC_DELIVERY_TYPE}",` +
      `"subject":${JSON.stringify(name)},"time":"${formatRfc3339(now)}","datacontenttype":"application/json","data":${data}}`;
    try {
      await this.sink.publishTo(topic, { id, json });
      return { ok: true, httpStatus: null };
    } catch (error) {
      const aborted = abort.reason;
      if (aborted) return { ok: false, aborted, httpStatus: null };
      await this.sink.close().catch(() => {});
      const message = `could not publish to topic "${topic}": ${(error as Error)?.message ?? String(error)}`;
      return { ok: false, httpStatus: null, error: { message, type: 'BrokerError', traceback: null } };
    }
  }

  async close(): Promise<void> {
    await this.next.close();
  }
}
