/**
 * The Dapr-style Jobs API in its two dialects (DESIGN.md, "Dapr compatibility"):
 * `/v1.0/jobs` as seed 000 documents it, `/v1.0-alpha1/jobs` as the Dapr runtime behaves.
 * Handlers only translate (job-wire.ts maps a body to a DaprJobSpec); the rules live in
 * DaprJobs and buildDaprJob.
 */
import type { FastifyInstance } from 'fastify';
import { ChimeError } from '../../core/errors.js';
import type { ScheduleStatus } from '../../core/types.js';
import type { DaprJobs } from '../../services/dapr-jobs.js';
import { daprJobFromBody } from './job-wire.js';
import { daprJobView, deadLetterView, historyView, seedJobView } from './views.js';
import {
  DaprJobBody,
  HistoryQuery,
  JobIdParams,
  JobNameParams,
  ListJobsQuery,
  NoQuery,
  PageQuery,
  type DaprJobBodyType,
  type HistoryQueryType,
  type JobIdParamsType,
  type JobNameParamsType,
  type ListJobsQueryType,
  type PageQueryType,
} from './schemas.js';

const STATUS_FILTER: Record<string, ScheduleStatus> = {
  scheduled: 'active',
  paused: 'paused',
  completed: 'completed',
  expired: 'expired',
  failed: 'failed',
};

export function registerDaprRoutes(app: FastifyInstance, jobs: DaprJobs): void {
  // ---- seed 000 dialect

  app.post<{ Params: JobNameParamsType; Body: DaprJobBodyType }>(
    '/v1.0/jobs/:name',
    {
      schema: {
        tags: ['Jobs (seed 000)'],
        summary: 'Schedule a named job',
        params: JobNameParams,
        querystring: NoQuery,
        body: DaprJobBody,
      },
    },
    async (request) => {
      const name = request.params.name;
      const input = daprJobFromBody(request.body as Record<string, unknown> | undefined);
      if (input.name !== undefined && input.name !== name) {
        throw new ChimeError('JOB_NAME_IN_BODY', 'name: differs from the name in the URL; set it in the URL only', { field: 'name' });
      }
      await jobs.create(name, input.spec, 'envelope', input.overwrite, request.headers.traceparent);
      return { status: 'scheduled', job_name: name };
    },
  );

  app.get<{ Querystring: ListJobsQueryType }>(
    '/v1.0/jobs',
    { schema: { tags: ['Jobs (seed 000)'], summary: 'List jobs', querystring: ListJobsQuery } },
    async (request) => {
      const q = request.query;
      const page = await jobs.list({
        prefix: q.prefix,
        statuses: q.status?.map((s) => STATUS_FILTER[s]!),
        cursor: q.cursor,
        limit: q.limit ?? 100,
      });
      return { jobs: page.jobs.map(seedJobView), next_cursor: page.nextCursor };
    },
  );

  app.get<{ Params: JobNameParamsType }>(
    '/v1.0/jobs/:name',
    { schema: { tags: ['Jobs (seed 000)'], summary: 'Get a job', params: JobNameParams } },
    async (request) => seedJobView(await jobs.get(request.params.name)),
  );

  app.delete<{ Params: JobNameParamsType }>(
    '/v1.0/jobs/:name',
    { schema: { tags: ['Jobs (seed 000)'], summary: 'Delete a job', params: JobNameParams } },
    async (request) => {
      if (!(await jobs.delete(request.params.name))) {
        throw new ChimeError('JOB_NOT_FOUND', `job "${request.params.name}" not found`);
      }
      return { status: 'deleted' };
    },
  );

  app.get<{ Params: JobNameParamsType; Querystring: HistoryQueryType }>(
    '/v1.0/jobs/:name/history',
    { schema: { tags: ['Jobs (seed 000)'], summary: "A job's firings, newest first (Chime extension)", params: JobNameParams, querystring: HistoryQuery } },
    async (request) => {
      const entries = await jobs.history(request.params.name, request.query.limit ?? 100, request.query.before);
      return { history: entries.map(historyView) };
    },
  );

  app.get<{ Querystring: PageQueryType }>(
    '/v1.0/dead-letters',
    { schema: { tags: ['Jobs (seed 000)'], summary: 'Occurrences whose retries ran out (Chime extension)', querystring: PageQuery } },
    async (request) => {
      const page = await jobs.deadLetters(request.query.limit ?? 100, request.query.offset ?? 0);
      return { dead_letters: page.items.map(deadLetterView), total: page.total };
    },
  );

  app.post<{ Params: JobIdParamsType }>(
    '/v1.0/dead-letters/:id/retry',
    { schema: { tags: ['Jobs (seed 000)'], summary: 'Deliver a dead-lettered occurrence again (Chime extension)', params: JobIdParams } },
    async (request) => {
      const job = await jobs.retryDeadLetter(request.params.id);
      return { status: 'scheduled', id: job.id, job_name: job.name };
    },
  );

  // ---- real Dapr dialect

  app.post<{ Params: JobNameParamsType; Body: DaprJobBodyType }>(
    '/v1.0-alpha1/jobs/:name',
    {
      schema: {
        tags: ['Jobs (Dapr runtime)'],
        summary: 'Schedule a job (204)',
        params: JobNameParams,
        querystring: NoQuery,
        body: DaprJobBody,
      },
    },
    async (request, reply) => {
      const input = daprJobFromBody(request.body as Record<string, unknown> | undefined);
      if (input.name !== undefined) {
        throw new ChimeError('JOB_NAME_IN_BODY', 'name: set the job name in the url only', { field: 'name' });
      }
      await jobs.create(request.params.name, input.spec, 'dapr', input.overwrite, request.headers.traceparent);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: JobNameParamsType }>(
    '/v1.0-alpha1/jobs/:name',
    { schema: { tags: ['Jobs (Dapr runtime)'], summary: 'Get a job', params: JobNameParams } },
    async (request) => daprJobView(await jobs.get(request.params.name)),
  );

  app.delete<{ Params: JobNameParamsType }>(
    '/v1.0-alpha1/jobs/:name',
    { schema: { tags: ['Jobs (Dapr runtime)'], summary: 'Delete a job (204, also when unknown)', params: JobNameParams } },
    async (request, reply) => {
      await jobs.delete(request.params.name);
      return reply.status(204).send();
    },
  );
}
