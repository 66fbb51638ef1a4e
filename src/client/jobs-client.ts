/**
 * The job platform client, with exactly the method names and shapes of seed 003's
 * TypeScript example, plus the rest of the API.
 */
import type {
  CreateJobDto,
  CreateScheduleDto,
  JobStatsDto,
  JobViewDto,
  QueueDto,
  RunSyncJobDto,
  ScheduleViewDto,
  TaskInfoDto,
  UpdateScheduleDto,
  WorkerDto,
} from '../http/v1/schemas.js';
import { ChimeApiError, HttpClient, segment, type HttpClientOptions } from './http.js';

export type {
  CreateJobDto,
  CreateScheduleDto,
  JobStatsDto,
  JobViewDto,
  QueueDto,
  RunSyncJobDto,
  ScheduleViewDto,
  TaskInfoDto,
  UpdateScheduleDto,
  WorkerDto,
};

export interface PageDto<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}
/** `GET /api/v1/jobs`: `total`, `page` and `pages` are null when not counted (a cursor, or `count: false`). */
export interface JobListDto extends Omit<PageDto<JobViewDto>, 'total' | 'page' | 'pages'> {
  total: number | null;
  page: number | null;
  pages: number | null;
  /** The next page's `cursor`; null on the last page. */
  next_cursor: string | null;
}
export type ScheduleListDto = PageDto<ScheduleViewDto>;
export interface QueueListDto {
  items: QueueDto[];
  total: number;
}
export interface TaskListDto {
  items: TaskInfoDto[];
  total: number;
}

export interface ListJobsParams {
  queue_name?: string;
  status?: string[];
  priority?: string;
  tags?: string[];
  worker_id?: string;
  limit?: number;
  offset?: number;
  /** A previous page's `next_cursor` (same order); not with `offset`. */
  cursor?: string;
  /** false: do not count the matches (`total` null). */
  count?: boolean;
  order_by?: 'created_at' | 'scheduled_at' | 'priority' | 'status' | 'started_at' | 'completed_at';
  order_dir?: 'asc' | 'desc';
}

export interface JobsClientOptions extends Omit<HttpClientOptions, 'baseUrl' | 'token'> {
  /**
   * Coalesce `createJob` calls made in the same event-loop turn into bulk requests of up to
   * 1,000 jobs (each call still gets its own job or error). Turns "await 100 creates at once"
   * into one round trip. A batch the server refuses (4xx) is sent again one job at a time; a
   * batch lost past the server (network, timeout, 5xx) is not, since it may have been written.
   * @default false
   */
  batchCreates?: boolean;
}

/** At most this many `createJob` calls share one bulk request (the server takes up to 10,000). */
const CREATES_PER_BULK = 1_000;

interface PendingCreate {
  job: CreateJobDto;
  resolve: (job: JobViewDto) => void;
  reject: (error: unknown) => void;
}

/**
 * @example
 * const client = new JobsClient('http://127.0.0.1:3500', process.env.CHIME_TOKEN!);
 * const job = await client.createJob({ task_name: 'process_data', args: [42, 'test'], priority: 'high' });
 * console.log(`Created job: ${job.id}`);
 */
export class JobsClient {
  private readonly http: HttpClient;
  private pendingCreates: PendingCreate[] = [];

  constructor(
    baseUrl: string,
    authToken: string,
    private readonly options: JobsClientOptions = {},
  ) {
    this.http = new HttpClient({ ...options, baseUrl, token: authToken });
  }

  // ---- jobs

  async listJobs(params: ListJobsParams = {}): Promise<JobListDto> {
    return this.http.request('GET', '/api/v1/jobs', undefined, { ...params });
  }

  async getJob(jobId: string): Promise<JobViewDto> {
    return this.http.request('GET', `/api/v1/jobs/${segment(jobId)}`);
  }

  async createJob(jobData: CreateJobDto): Promise<JobViewDto> {
    if (!this.options.batchCreates) return this.http.request('POST', '/api/v1/jobs', jobData);
    return new Promise<JobViewDto>((resolve, reject) => {
      this.pendingCreates.push({ job: jobData, resolve, reject });
      if (this.pendingCreates.length === 1) setImmediate(() => void this.flushCreates());
    });
  }

  /** Creates many jobs in one request, all or none; returns their ids in order. */
  async createJobs(jobs: CreateJobDto[]): Promise<string[]> {
    const answer = await this.http.request<{ ids: string[] }>('POST', '/api/v1/jobs/bulk', { jobs });
    return answer.ids;
  }

  async cancelJob(jobId: string, reason?: string): Promise<JobViewDto> {
    return this.http.request('POST', `/api/v1/jobs/${segment(jobId)}/cancel`, { reason });
  }

  async retryJob(jobId: string): Promise<JobViewDto> {
    return this.http.request('POST', `/api/v1/jobs/${segment(jobId)}/retry`);
  }

  /** Runs a job now and resolves to the task's result; a task error rejects with its message. */
  async runJobSync<T>(jobData: RunSyncJobDto): Promise<T> {
    return this.http.request('POST', '/api/v1/jobs/run-sync', jobData);
  }

  async getJobStats(): Promise<JobStatsDto> {
    return this.http.request('GET', '/api/v1/jobs/stats');
  }

  // ---- schedules

  /**
   * A name that exists is a 409 (SCHEDULE_EXISTS); with `{ upsert: true }` the schedule of that
   * name is updated in place instead (create your schedules on every boot without duplicates).
   */
  async createSchedule(scheduleData: CreateScheduleDto, options: { upsert?: boolean } = {}): Promise<ScheduleViewDto> {
    return this.http.request('POST', '/api/v1/schedules', scheduleData, options.upsert ? { upsert: true } : undefined);
  }

  async listSchedules(params: { status?: 'active' | 'paused'; tags?: string[]; limit?: number; offset?: number } = {}): Promise<ScheduleListDto> {
    return this.http.request('GET', '/api/v1/schedules', undefined, { ...params });
  }

  async getSchedule(scheduleId: string): Promise<ScheduleViewDto> {
    return this.http.request('GET', `/api/v1/schedules/${segment(scheduleId)}`);
  }

  async updateSchedule(scheduleId: string, scheduleData: UpdateScheduleDto): Promise<ScheduleViewDto> {
    return this.http.request('PUT', `/api/v1/schedules/${segment(scheduleId)}`, scheduleData);
  }

  async deleteSchedule(scheduleId: string): Promise<void> {
    await this.http.request('DELETE', `/api/v1/schedules/${segment(scheduleId)}`);
  }

  async pauseSchedule(scheduleId: string): Promise<ScheduleViewDto> {
    return this.http.request('POST', `/api/v1/schedules/${segment(scheduleId)}/pause`);
  }

  async resumeSchedule(scheduleId: string): Promise<ScheduleViewDto> {
    return this.http.request('POST', `/api/v1/schedules/${segment(scheduleId)}/resume`);
  }

  // ---- queues

  async listQueues(): Promise<QueueListDto> {
    return this.http.request('GET', '/api/v1/queues');
  }

  async pauseQueue(queueName: string): Promise<void> {
    await this.http.request('POST', `/api/v1/queues/${segment(queueName)}/pause`);
  }

  async resumeQueue(queueName: string): Promise<void> {
    await this.http.request('POST', `/api/v1/queues/${segment(queueName)}/resume`);
  }

  /** Removes the queue's waiting jobs; resolves to how many. */
  async clearQueue(queueName: string): Promise<number> {
    const { headers } = await this.http.requestWithHeaders('POST', `/api/v1/queues/${segment(queueName)}/clear`);
    return Number(headers['chime-cleared-count'] ?? 0);
  }

  /** Most jobs of the queue running at once across all workers; null removes the limit. */
  async setQueueConcurrency(queueName: string, concurrency: number | null): Promise<void> {
    await this.http.request('PUT', `/api/v1/queues/${segment(queueName)}`, { concurrency });
  }

  // ---- tasks, workers

  async listTasks(): Promise<TaskListDto> {
    return this.http.request('GET', '/api/v1/tasks');
  }

  async getTask(taskName: string, version?: string): Promise<TaskInfoDto> {
    return this.http.request('GET', `/api/v1/tasks/${segment(taskName)}`, undefined, { version });
  }

  async listWorkers(): Promise<{ items: WorkerDto[]; total: number }> {
    return this.http.request('GET', '/api/v1/workers');
  }

  private async flushCreates(): Promise<void> {
    const pending = this.pendingCreates;
    this.pendingCreates = [];
    const batches: PendingCreate[][] = [];
    for (let i = 0; i < pending.length; i += CREATES_PER_BULK) batches.push(pending.slice(i, i + CREATES_PER_BULK));
    await Promise.all(batches.map((batch) => this.sendCreates(batch)));
  }

  private async sendCreates(batch: PendingCreate[]): Promise<void> {
    if (batch.length === 1) return this.createOne(batch[0]!);
    let answer: { items: JobViewDto[] };
    try {
      answer = await this.http.request<{ items: JobViewDto[] }>('POST', '/api/v1/jobs/bulk', { jobs: batch.map((b) => b.job) }, { views: true });
    } catch (error) {
      // A 4xx refused the whole batch and wrote nothing (bulk is all or none): send each job
      // alone so each call gets its own answer or error. Any other failure (the connection
      // lost, a timeout, a 5xx) may have come after the commit: sending again could create
      // the jobs twice, so every call gets that error, as a single create would.
      const refused = error instanceof ChimeApiError && error.status >= 400 && error.status < 500;
      if (!refused) {
        for (const b of batch) b.reject(error);
        return;
      }
      await Promise.all(batch.map((b) => this.createOne(b)));
      return;
    }
    batch.forEach((b, i) => b.resolve(answer.items[i]!));
  }

  private createOne(pending: PendingCreate): Promise<void> {
    return this.http.request<JobViewDto>('POST', '/api/v1/jobs', pending.job).then(pending.resolve, pending.reject);
  }
}
