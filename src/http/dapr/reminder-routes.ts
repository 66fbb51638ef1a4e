/**
 * Seed 002's job routes, served by Chime so an app need not write them: schedule, reschedule
 * and cancel the reminder of a task, named `task-reminder-{task_id}-{user_id}`. Reminders are
 * ordinary seed-style jobs; they fire to the app's `/api/jobs/trigger` with the task and user.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ChimeError } from '../../core/errors.js';
import { INPUT_LIMITS } from '../../core/input-limits.js';
import { reminderJobName } from '../../core/reminders.js';
import { formatRfc3339, parseRfc3339 } from '../../core/time-spec.js';
import { parseField } from '../../core/errors.js';
import type { DaprJobs } from '../../services/dapr-jobs.js';
import { seedJobView } from './views.js';
import { Text } from '../schemas/common.js';

const Id = Type.Union([Type.Integer({ minimum: -INPUT_LIMITS.maxId, maximum: INPUT_LIMITS.maxId }), Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/#?|\\s]+$' })]);
const ScheduleBody = Type.Object(
  {
    task_id: Id,
    user_id: Id,
    due_date: Text({ description: 'RFC 3339' }),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Extra fields delivered with task_id and user_id.' })),
  },
  { additionalProperties: false },
);
const RescheduleBody = Type.Object(
  { task_id: Id, user_id: Id, new_due_date: Text({ description: 'RFC 3339' }), data: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
  { additionalProperties: false },
);
const ReminderParams = Type.Object({ task_id: Type.String({ minLength: 1, maxLength: 200 }) });
const ReminderQuery = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

type ScheduleBody = Static<typeof ScheduleBody>;
type RescheduleBody = Static<typeof RescheduleBody>;
const tags = ['Reminders (seed 002)'];

export function registerReminderRoutes(app: FastifyInstance, jobs: DaprJobs): void {
  const schedule = async (
    taskId: string | number,
    userId: string | number,
    due: string,
    field: string,
    data: Record<string, unknown> | undefined,
    overwrite: boolean,
    traceparent: unknown,
  ) => {
    const at = parseField(field, () => parseRfc3339(due));
    const name = reminderJobName(taskId, userId);
    await jobs.create(name, { dueTime: formatRfc3339(at), data: { ...data, task_id: taskId, user_id: userId } }, 'envelope', overwrite, traceparent);
    return { job_name: name, scheduled_for: formatRfc3339(at) };
  };

  app.post<{ Body: ScheduleBody }>(
    '/api/jobs/schedule',
    { schema: { tags, summary: 'Schedule the reminder of a task (409 if it has one)', body: ScheduleBody } },
    async (request) => {
      const { task_id, user_id, due_date, data } = request.body;
      return { status: 'scheduled', ...(await schedule(task_id, user_id, due_date, 'due_date', data, false, request.headers.traceparent)) };
    },
  );

  app.post<{ Body: RescheduleBody }>(
    '/api/jobs/reschedule',
    { schema: { tags, summary: "Move a task's reminder to a new due date (creates it if missing)", body: RescheduleBody } },
    async (request) => {
      const { task_id, user_id, new_due_date, data } = request.body;
      return { status: 'rescheduled', ...(await schedule(task_id, user_id, new_due_date, 'new_due_date', data, true, request.headers.traceparent)) };
    },
  );

  app.get<{ Params: { task_id: string }; Querystring: { user_id: string } }>(
    '/api/jobs/tasks/:task_id/reminder',
    { schema: { tags, summary: "A task's reminder", params: ReminderParams, querystring: ReminderQuery } },
    async (request) => seedJobView(await jobs.get(reminderJobName(request.params.task_id, request.query.user_id))),
  );

  app.delete<{ Params: { task_id: string }; Querystring: { user_id: string } }>(
    '/api/jobs/tasks/:task_id/reminder',
    { schema: { tags, summary: "Cancel a task's reminder", params: ReminderParams, querystring: ReminderQuery } },
    async (request) => {
      const name = reminderJobName(request.params.task_id, request.query.user_id);
      if (!(await jobs.delete(name))) throw new ChimeError('JOB_NOT_FOUND', `no reminder for task ${request.params.task_id} and user ${request.query.user_id}`);
      return { status: 'cancelled', job_name: name };
    },
  );
}
