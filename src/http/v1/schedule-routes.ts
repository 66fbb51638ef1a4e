/** `/api/v1/schedules...` (seed 003 schedule endpoints). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { formatRfc3339 } from '../../core/time-spec.js';
import type { PlatformSchedules } from '../../services/platform-schedules.js';
import {
  CreateScheduleDto,
  CreateScheduleQuery,
  IdParams,
  ListSchedulesQuery,
  Page,
  ScheduleViewDto,
  UpdateScheduleDto,
  type CreateScheduleQuery as CreateScheduleQueryType,
  type ListSchedulesQuery as ListSchedulesQueryType,
  type UpdateScheduleDto as UpdateScheduleDtoType,
} from './schemas.js';
import { recurrenceOfPreviewQuery, scheduleSpecOf, scheduleUpdateOf } from './schedule-wire.js';
import { bearer } from './bearer.js';
import { pageView, scheduleView } from './views.js';

const tags = ['Schedules'];

const PreviewQuerySchema = Type.Object(
  {
    cron_expression: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    interval_seconds: Type.Optional(Type.Integer({ minimum: 1 })),
    timezone: Type.Optional(Type.String({ minLength: 1 })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
type PreviewQuery = { cron_expression?: string; interval_seconds?: number; timezone?: string; count?: number };
const ScheduleIdParams = IdParams('schedule_id');
type ScheduleIdParams = { schedule_id: string };

export function registerV1ScheduleRoutes(app: FastifyInstance, schedules: PlatformSchedules): void {
  app.get<{ Querystring: ListSchedulesQueryType }>(
    '/schedules',
    { config: { scope: 'read' }, schema: { tags, summary: 'List schedules', security: bearer, querystring: ListSchedulesQuery, response: { 200: Page(ScheduleViewDto) } } },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const offset = request.query.offset ?? 0;
      const page = await schedules.list({ status: request.query.status, tags: request.query.tags, limit, offset });
      return pageView(page.items, page.total ?? 0, limit, offset, scheduleView);
    },
  );

  app.get<{ Querystring: PreviewQuery }>(
    '/schedules/preview',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The next occurrences of a cron expression or an interval, as a schedule created now would fire (Chime extension)',
        security: bearer,
        querystring: PreviewQuerySchema,
        response: { 200: Type.Object({ occurrences: Type.Array(Type.String()) }) },
      },
    },
    async (request) => {
      const times = schedules.preview(recurrenceOfPreviewQuery(request.query), request.query.count ?? 10);
      return { occurrences: times.map(formatRfc3339) };
    },
  );

  app.get<{ Params: ScheduleIdParams }>(
    '/schedules/:schedule_id',
    { config: { scope: 'read' }, schema: { tags, summary: 'Get a schedule', security: bearer, params: ScheduleIdParams, response: { 200: ScheduleViewDto } } },
    async (request) => scheduleView(await schedules.get(request.params.schedule_id)),
  );

  app.post<{ Body: CreateScheduleDto; Querystring: CreateScheduleQueryType }>(
    '/schedules',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Create a schedule (cron_expression or interval); a taken name is a 409 unless upsert=true',
        security: bearer,
        querystring: CreateScheduleQuery,
        body: CreateScheduleDto,
        response: { 200: ScheduleViewDto },
      },
    },
    async (request) => {
      const upsert = request.query.upsert === true ? scheduleUpdateOf(request.body) : undefined;
      return scheduleView(await schedules.create(scheduleSpecOf(request.body), { upsert, traceparent: request.headers.traceparent }));
    },
  );

  app.put<{ Params: ScheduleIdParams; Body: UpdateScheduleDtoType }>(
    '/schedules/:schedule_id',
    {
      config: { scope: 'write' },
      schema: { tags, summary: 'Update a schedule (next_run_at is recomputed)', security: bearer, params: ScheduleIdParams, body: UpdateScheduleDto, response: { 200: ScheduleViewDto } },
    },
    async (request) => scheduleView(await schedules.update(request.params.schedule_id, scheduleUpdateOf(request.body))),
  );

  app.delete<{ Params: ScheduleIdParams }>(
    '/schedules/:schedule_id',
    { config: { scope: 'write' }, schema: { tags, summary: 'Delete a schedule', security: bearer, params: ScheduleIdParams } },
    async (request, reply) => {
      await schedules.delete(request.params.schedule_id);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: ScheduleIdParams }>(
    '/schedules/:schedule_id/pause',
    { config: { scope: 'write' }, schema: { tags, summary: 'Pause a schedule', security: bearer, params: ScheduleIdParams, response: { 200: ScheduleViewDto } } },
    async (request) => scheduleView(await schedules.pause(request.params.schedule_id)),
  );

  app.post<{ Params: ScheduleIdParams }>(
    '/schedules/:schedule_id/resume',
    { config: { scope: 'write' }, schema: { tags, summary: 'Resume a schedule', security: bearer, params: ScheduleIdParams, response: { 200: ScheduleViewDto } } },
    async (request) => scheduleView(await schedules.resume(request.params.schedule_id)),
  );
}
