/**
 * The scheduler client of seed 002 (`DaprJobScheduler`): named jobs on the seed 000 API
 * (`/v1.0/jobs`), delivered to the app's callback when they fire.
 */
import { HttpClient, segment, type HttpClientOptions } from './http.js';

/** What a job is created with (seed 000 fields; Dapr's snake_case spellings also work server-side). */
export interface ScheduleJobRequest {
  /** Cron (5 or 6 fields), `@every 1h`, `@daily`...; omit or "" for a one-shot job. */
  schedule?: string;
  /** Total firings; 0 = forever, 1 = once. */
  repeats?: number;
  /** First firing: a Date, RFC 3339 text, a Go duration from now ("10s") or an ISO-8601 duration ("PT10S"). */
  dueTime?: string | Date;
  /** No firing at or after this (same forms as dueTime). */
  ttl?: string | Date;
  /** Delivered to the app as `data`. */
  data?: unknown;
  /** Replace a live job of the same name instead of failing with 409. */
  overwrite?: boolean;
  failurePolicy?: { drop: Record<string, never> } | { constant: { interval?: string; maxRetries?: number } };
  missedFirePolicy?: 'fire_once' | 'all' | 'skip';
  /** Chime extension: where this job's callback goes instead of the app URL (see docs/api.md). */
  target?: JobTargetSpec;
  /** Chime extension: called (signed, retried) when the job fails for good. */
  on_failure?: string;
  /** Chime extension: called (signed, retried) when an attempt succeeds. */
  on_success?: string;
}

/** A job's own HTTP target (Chime extension); its URL must pass the server's --allow-target. */
export interface JobTargetSpec {
  url: string;
  method?: 'POST' | 'PUT' | 'PATCH' | 'GET' | 'DELETE';
  headers?: Record<string, string>;
  /** envelope (default), data (the bare data) or raw (a string data as its characters). */
  body?: 'envelope' | 'data' | 'raw';
  /** Per-attempt timeout: "30s" or seconds; default the server's JOB_TIMEOUT. */
  timeout?: string | number;
}

export interface DaprJob {
  name: string;
  schedule: string;
  repeats: number;
  dueTime: string | null;
  ttl: string | null;
  data: unknown;
  /** scheduled, paused, completed, expired or failed. */
  status: string;
  failurePolicy: unknown;
  missedFirePolicy: string;
  next_run_at: string | null;
  last_run_at: string | null;
  fire_count: number;
  created_at: string;
}

export interface DaprJobList {
  jobs: DaprJob[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

export interface JobFiring {
  id: number;
  job_id: string;
  job_name: string | null;
  scheduled_time: string;
  actual_time: string;
  attempt: number;
  outcome: string;
  http_status: number | null;
  duration_ms: number;
  error: string | null;
}

/**
 * @example
 * const scheduler = new SchedulerClient({ baseUrl: 'http://127.0.0.1:3500' });
 * await scheduler.scheduleJob('task-reminder-123-user-xyz', {
 *   dueTime: new Date('2025-01-15T14:30:00Z'),
 *   data: { task_id: 123, user_id: 'user-xyz' },
 * });
 */
export class SchedulerClient {
  private readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new HttpClient(options);
  }

  /** Schedules a named job. Fails with status 409 if a live job has the name (unless `overwrite`). */
  async scheduleJob(name: string, job: ScheduleJobRequest): Promise<{ status: string; job_name: string }> {
    return this.http.request('POST', `/v1.0/jobs/${segment(name)}`, toBody(job));
  }

  /** Replaces a job's definition (schedule, due time, data...) in one step. */
  async updateJob(name: string, job: Omit<ScheduleJobRequest, 'overwrite'>): Promise<{ status: string; job_name: string }> {
    return this.scheduleJob(name, { ...job, overwrite: true });
  }

  async getJob(name: string): Promise<DaprJob> {
    return this.http.request('GET', `/v1.0/jobs/${segment(name)}`);
  }

  async listJobs(query: { prefix?: string; status?: string[]; limit?: number; cursor?: string } = {}): Promise<DaprJobList> {
    return this.http.request('GET', '/v1.0/jobs', undefined, query);
  }

  /** Every job matching, following cursors page by page. */
  async *allJobs(query: { prefix?: string; status?: string[]; pageSize?: number } = {}): AsyncGenerator<DaprJob> {
    let cursor: string | undefined;
    do {
      const page = await this.listJobs({ prefix: query.prefix, status: query.status, limit: query.pageSize ?? 500, cursor });
      yield* page.jobs;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Deletes a job. Fails with status 404 if there is none. */
  async deleteJob(name: string): Promise<{ status: string }> {
    return this.http.request('DELETE', `/v1.0/jobs/${segment(name)}`);
  }

  /** A job's firings, newest first. */
  async jobHistory(name: string, query: { limit?: number; before?: number } = {}): Promise<JobFiring[]> {
    const answer = await this.http.request<{ history: JobFiring[] }>('GET', `/v1.0/jobs/${segment(name)}/history`, undefined, query);
    return answer.history;
  }
}

function toBody(job: ScheduleJobRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { ...job };
  if (job.dueTime instanceof Date) body.dueTime = job.dueTime.toISOString();
  if (job.ttl instanceof Date) body.ttl = job.ttl.toISOString();
  return body;
}
