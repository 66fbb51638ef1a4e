/**
 * `/api/v1/dead-letters...`: Dapr-style job occurrences whose retries ran out, with their failed
 * attempts; retry one, retry all (of a job name), delete. The Dapr API's `/v1.0/dead-letters`
 * lists and retries too; these carry the platform's auth (read sees, write acts).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DaprJobs } from '../../services/dapr-jobs.js';
import { deadLetterView, historyView } from '../dapr/views.js';
import { Offset, Text } from '../schemas/common.js';
import { IdParams } from './schemas.js';
import { bearer } from './bearer.js';

const tags = ['Dead letters'];
const JobIdParams = IdParams('job_id');
type JobIdParams = { job_id: string };
/** Most dead letters one "retry all" sends back; call again for more. */
const RETRY_ALL_LIMIT = 10_000;

const ListQuery = Type.Object(
  {
    job_name: Type.Optional(Text({ minLength: 1, description: 'only this Dapr job' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);

export function registerV1DeadLetterRoutes(app: FastifyInstance, daprJobs: DaprJobs): void {
  app.get<{ Querystring: { job_name?: string; limit?: number; offset?: number } }>(
    '/dead-letters',
    { config: { scope: 'read' }, schema: { tags, summary: 'Dead letters, newest first', security: bearer, querystring: ListQuery } },
    async (request) => {
      const { job_name, limit = 50, offset = 0 } = request.query;
      const page = await daprJobs.deadLetters(limit, offset, job_name);
      return { items: page.items.map(deadLetterView), total: page.total ?? 0 };
    },
  );

  app.get<{ Params: JobIdParams }>(
    '/dead-letters/:job_id',
    { config: { scope: 'read' }, schema: { tags, summary: 'A dead letter and its failed attempts', security: bearer, params: JobIdParams } },
    async (request) => {
      const { job, attempts } = await daprJobs.deadLetter(request.params.job_id);
      return { ...deadLetterView(job), attempts: attempts.map(historyView) };
    },
  );

  app.post<{ Params: JobIdParams }>(
    '/dead-letters/:job_id/retry',
    { config: { scope: 'write' }, schema: { tags, summary: 'Deliver a dead letter again, with a fresh retry budget', security: bearer, params: JobIdParams } },
    async (request) => {
      const job = await daprJobs.retryDeadLetter(request.params.job_id);
      return { status: 'scheduled', id: job.id, job_name: job.name };
    },
  );

  app.post<{ Body: { job_name?: string } | null }>(
    '/dead-letters/retry',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: `Retry every dead letter (of one job name, if given), at most ${RETRY_ALL_LIMIT} per call`,
        security: bearer,
        body: Type.Union([Type.Object({ job_name: Type.Optional(Text({ minLength: 1 })) }, { additionalProperties: false }), Type.Null()]),
      },
    },
    async (request) => ({ retried: await daprJobs.retryDeadLetters(request.body?.job_name, RETRY_ALL_LIMIT) }),
  );

  app.delete<{ Params: JobIdParams }>(
    '/dead-letters/:job_id',
    { config: { scope: 'write' }, schema: { tags, summary: 'Delete a dead letter and its attempts', security: bearer, params: JobIdParams } },
    async (request, reply) => {
      await daprJobs.deleteDeadLetter(request.params.job_id);
      return reply.status(204).send();
    },
  );
}
