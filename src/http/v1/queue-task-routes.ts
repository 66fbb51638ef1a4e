/** `/api/v1/queues...`, `/api/v1/tasks...` and `/api/v1/workers` (seed 003, plus workers and queue limits). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IdParams, QueueDto, QueueSettingsDto, TaskInfoDto, TaskQuery, WorkerDto } from './schemas.js';
import type { PlatformQueues } from '../../services/platform-queues.js';
import type { PlatformTasks } from '../../services/platform-tasks.js';
import { bearer } from './bearer.js';
import { queueView, taskView, workerView } from './views.js';

const QueueParams = IdParams('queue_name');
type QueueParams = { queue_name: string };
const TaskParams = IdParams('task_name');

export function registerV1QueueTaskRoutes(app: FastifyInstance, platform: { queues: PlatformQueues; tasks: PlatformTasks }): void {
  const tags = ['Queues'];
  app.get(
    '/queues',
    { config: { scope: 'read' }, schema: { tags, summary: 'List queues', security: bearer, response: { 200: Type.Object({ items: Type.Array(QueueDto), total: Type.Integer() }) } } },
    async () => {
      const queues = await platform.queues.list();
      return { items: queues.map(queueView), total: queues.length };
    },
  );

  const queueAction = (action: 'pause' | 'resume' | 'clear', summary: string) =>
    app.post<{ Params: QueueParams }>(
      `/queues/:queue_name/${action}`,
      { config: { scope: 'admin' }, schema: { tags, summary, security: bearer, params: QueueParams } },
      async (request, reply) => {
        const name = request.params.queue_name;
        if (action === 'clear') void reply.header('chime-cleared-count', String(await platform.queues.clear(name)));
        else await platform.queues[action](name);
        return reply.status(204).send();
      },
    );
  queueAction('pause', 'Pause a queue (jobs wait; nothing is lost)');
  queueAction('resume', 'Resume a paused queue');
  queueAction('clear', 'Remove the waiting jobs of a queue (their number is in the chime-cleared-count header)');

  app.put<{ Params: QueueParams; Body: { concurrency: number | null } }>(
    '/queues/:queue_name',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: "Set a queue's concurrency limit across all workers (Chime extension)", security: bearer, params: QueueParams, body: QueueSettingsDto },
    },
    async (request, reply) => {
      await platform.queues.setConcurrency(request.params.queue_name, request.body.concurrency);
      return reply.status(204).send();
    },
  );

  app.get(
    '/tasks',
    { config: { scope: 'read' }, schema: { tags: ['Tasks'], summary: 'List registered tasks', security: bearer, response: { 200: Type.Object({ items: Type.Array(TaskInfoDto), total: Type.Integer() }) } } },
    async () => {
      const tasks = await platform.tasks.list();
      return { items: tasks.map(taskView), total: tasks.length };
    },
  );

  app.get<{ Params: { task_name: string }; Querystring: { version?: string } }>(
    '/tasks/:task_name',
    { config: { scope: 'read' }, schema: { tags: ['Tasks'], summary: 'Get a task (latest version, or ?version=)', security: bearer, params: TaskParams, querystring: TaskQuery, response: { 200: TaskInfoDto } } },
    async (request) => taskView(await platform.tasks.get(request.params.task_name, request.query.version)),
  );

  app.get(
    '/workers',
    { config: { scope: 'read' }, schema: { tags: ['Workers'], summary: 'Workers and their heartbeats (Chime extension)', security: bearer, response: { 200: Type.Object({ items: Type.Array(WorkerDto), total: Type.Integer() }) } } },
    async () => {
      const workers = await platform.tasks.workers();
      return { items: workers.map(workerView), total: workers.length };
    },
  );
}
