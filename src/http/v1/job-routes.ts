/** `/api/v1/jobs...` (seed 003 job endpoints, plus bulk create). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { pendingRecord, type PlatformJobs } from '../../services/platform-jobs.js';
import {
  BulkCreateJobsDto,
  CancelJobDto,
  CreateJobDto,
  IdParams,
  JobPage,
  JobStatsDto,
  JobViewDto,
  ListJobsQuery,
  RunSyncJobDto,
  type ListJobsQuery as ListJobsQueryType,
} from './schemas.js';
import { bearer } from './bearer.js';
import { invalidField } from '../../core/errors.js';
import { decodeJobCursor, encodeJobCursor } from './job-cursor.js';
import { createJobBatch, runSyncSpecOf, taskJobSpecOf } from './job-wire.js';
import { jobView, pageView, statsView } from './views.js';

const tags = ['Jobs (platform)'];
const JobIdParams = IdParams('job_id');
type JobIdParams = { job_id: string };

export function registerV1JobRoutes(app: FastifyInstance, jobs: PlatformJobs): void {
  app.get<{ Querystring: ListJobsQueryType }>(
    '/jobs',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'List jobs (by offset, or by cursor: next_cursor)', security: bearer, querystring: ListJobsQuery, response: { 200: JobPage } },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const offset = q.offset ?? 0;
      const orderBy = q.order_by ?? 'created_at';
      const orderDir = q.order_dir ?? 'desc';
      if (q.cursor !== undefined && offset > 0) throw invalidField('cursor', 'give either cursor or offset, not both');
      const after = q.cursor === undefined ? undefined : decodeJobCursor(q.cursor, orderBy, orderDir);
      const page = await jobs.list({
        queue: q.queue_name,
        statuses: q.status,
        priority: q.priority,
        tags: q.tags,
        workerId: q.worker_id,
        limit,
        offset,
        orderBy,
        orderDir,
        after,
        // A cursor's page is not counted: counting every match is what keyset paging avoids.
        skipTotal: after !== undefined || q.count === false,
      });
      const listed =
        page.total === null
          ? { items: page.items.map(jobView), total: null, page: null, page_size: limit, pages: null }
          : pageView(page.items, page.total, limit, offset, jobView);
      return { ...listed, next_cursor: page.next ? encodeJobCursor(orderBy, orderDir, page.next) : null };
    },
  );

  app.get(
    '/jobs/stats',
    { config: { scope: 'read' }, schema: { tags, summary: 'Job statistics', security: bearer, response: { 200: JobStatsDto } } },
    async () => statsView(await jobs.stats()),
  );

  app.get<{ Params: JobIdParams }>(
    '/jobs/:job_id',
    { config: { scope: 'read' }, schema: { tags, summary: 'Get a job', security: bearer, params: JobIdParams, response: { 200: JobViewDto } } },
    async (request) => jobView(await jobs.get(request.params.job_id)),
  );

  app.post<{ Body: CreateJobDto }>(
    '/jobs',
    { config: { scope: 'write' }, schema: { tags, summary: 'Create a job', security: bearer, body: CreateJobDto, response: { 200: JobViewDto } } },
    async (request) => jobView(await jobs.create(taskJobSpecOf(request.body), request.headers.traceparent)),
  );

  app.post<{ Body: { jobs: CreateJobDto[] }; Querystring: { views?: boolean } }>(
    '/jobs/bulk',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Create many jobs at once, all or none (Chime extension); ?views=true also returns each job',
        security: bearer,
        body: BulkCreateJobsDto,
        querystring: Type.Object({ views: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ ids: Type.Array(Type.String()), count: Type.Integer(), items: Type.Optional(Type.Array(JobViewDto)) }),
        },
      },
    },
    async (request) => {
      const created = await createJobBatch(jobs, request.body.jobs, request.headers.traceparent);
      const answer = { ids: created.map((job) => job.id), count: created.length };
      return request.query.views ? { ...answer, items: created.map((job) => jobView(pendingRecord(job))) } : answer;
    },
  );

  app.post<{ Params: JobIdParams; Body: { reason?: string | null } | null }>(
    '/jobs/:job_id/cancel',
    {
      config: { scope: 'write' },
      schema: { tags, summary: 'Cancel a job', security: bearer, params: JobIdParams, body: Type.Union([CancelJobDto, Type.Null()]), response: { 200: JobViewDto } },
    },
    async (request) => jobView(await jobs.cancel(request.params.job_id, request.body?.reason ?? null)),
  );

  app.post<{ Params: JobIdParams }>(
    '/jobs/:job_id/retry',
    { config: { scope: 'write' }, schema: { tags, summary: 'Retry a failed, timed-out or cancelled job', security: bearer, params: JobIdParams, response: { 200: JobViewDto } } },
    async (request) => jobView(await jobs.retry(request.params.job_id)),
  );

  app.post<{ Body: RunSyncJobDto }>(
    '/jobs/run-sync',
    {
      config: { scope: 'write' },
      schema: { tags, summary: "Run a job and wait for its result (up to the job's timeout)", security: bearer, body: RunSyncJobDto },
    },
    async (request, reply) => {
      const { spec, waitForWorker } = runSyncSpecOf(request.body);
      const job = await jobs.runSync(spec, request.headers.traceparent, waitForWorker);
      // The task's own result, as JSON text: no parse and re-serialise on the way out.
      return reply.type('application/json').send(job.result ?? 'null');
    },
  );
}
