/**
 * Schemas of the job platform API (`/api/v1`, seed 003). Field names, enums and the
 * pagination shape are the seed's; they drive validation, the OpenAPI document, and the
 * SDK's DTO types.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { JOB_STATUSES, MISSED_FIRE_POLICIES, PRIORITIES } from '../../core/types.js';
import { INPUT_LIMITS, NAME_FORBIDDEN } from '../../core/input-limits.js';
import { Offset, PageLimit, Seconds, Text, Timeout, stringEnum } from '../schemas/common.js';
import { DeliveryTarget, HookUrl } from '../schemas/delivery.js';

const Priority = stringEnum(PRIORITIES, { description: 'critical > high > normal > low' });
const Status = stringEnum(JOB_STATUSES);
const DateTime = Type.String({ description: 'RFC 3339 date-time' });
/** Names: not `.` or `..`, none of / # ? | or control characters (core/input-limits.ts). */
const NAME_PATTERN = `^(?!\\.{1,2}$)[^${NAME_FORBIDDEN.source.slice(2, -1)}]+$`;
/**
 * The schema or null, as OpenAPI 3.0 says it (`nullable: true`), which Ajv and
 * fast-json-stringify both read. Not `anyOf: [schema, {type: 'null'}]`: fast-json-stringify
 * serializes an anyOf by running Ajv on the value for each branch, which made a page of 100 jobs
 * (seven such fields each) three times as slow to serialize and a route's first reply compile
 * Ajv validators (docs/benchmarks.md, "Nullable fields as OpenAPI says them").
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Unsafe<Static<T> | null>({ ...schema, nullable: true });
const Name = (description: string) =>
  Type.String({ minLength: 1, maxLength: 200, pattern: NAME_PATTERN, description: `${description}: not . or .., none of / # ? | or control characters` });
const QueueName = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$', description: 'letters, digits, _ . : - (at most 100)' });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 });
/** Chime extension fields (per-job delivery), on jobs and schedules, in requests and views. */
const DeliveryFields = {
  target: Type.Optional(DeliveryTarget),
  on_failure: Type.Optional(HookUrl('failure')),
  on_success: Type.Optional(HookUrl('success')),
};

export const JobErrorDto = Type.Object({ message: Type.String(), type: Type.String(), traceback: Nullable(Type.String()) });

export const JobViewDto = Type.Object({
  id: Type.String(),
  task_name: Type.String(),
  args: Type.Array(Type.Unknown()),
  kwargs: Type.Record(Type.String(), Type.Unknown()),
  queue_name: Type.String(),
  priority: Priority,
  status: Status,
  scheduled_at: DateTime,
  created_at: DateTime,
  started_at: Nullable(DateTime),
  completed_at: Nullable(DateTime),
  result: Type.Unknown(),
  error: Nullable(JobErrorDto),
  retry_count: Type.Integer(),
  max_retries: Type.Integer(),
  retry_delay: Type.Number(),
  tags: Type.Array(Type.String()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  worker_id: Nullable(Type.String()),
  timeout: Type.Number(),
  version: Nullable(Type.String()),
  duration: Nullable(Type.Number()),
  schedule_id: Nullable(Type.String()),
  ...DeliveryFields,
});
export type JobViewDto = Static<typeof JobViewDto>;

const JobFields = {
  args: Type.Optional(Type.Array(Type.Unknown(), { description: 'Positional arguments for the task.' })),
  kwargs: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Keyword arguments for the task.' })),
  queue_name: Type.Optional(QueueName),
  priority: Type.Optional(Priority),
  timeout: Type.Optional(Timeout('Seconds an attempt may run (default: the task\'s).')),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Task version (default: the latest registered).' })),
  ...DeliveryFields,
};

export const CreateJobDto = Type.Object(
  {
    task_name: Name('Task to execute'),
    ...JobFields,
    scheduled_at: Type.Optional(Nullable(Text({ description: 'RFC 3339; absent or past = now.' }))),
    max_retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    retry_delay: Type.Optional(Seconds('Seconds between attempts.')),
    tags: Type.Optional(Tags),
    job_id: Type.Optional(Type.String({ pattern: '^(?!\\.{1,2}$)[A-Za-z0-9_.:-]{1,200}$', description: 'Custom id (letters, digits, _ . : -); duplicate → 409.' })),
  },
  { additionalProperties: false },
);
export type CreateJobDto = Static<typeof CreateJobDto>;

export const RunSyncJobDto = Type.Object(
  {
    task_name: Name('Task to execute'),
    ...JobFields,
    wait: Type.Optional(Type.Boolean({ description: 'Wait (up to the timeout) for a worker when none serves the queue now, instead of a 409 NO_WORKER.' })),
  },
  { additionalProperties: false },
);
export type RunSyncJobDto = Static<typeof RunSyncJobDto>;

export const BulkCreateJobsDto = Type.Object(
  { jobs: Type.Array(CreateJobDto, { minItems: 1, maxItems: 10_000 }) },
  { additionalProperties: false },
);

export const CancelJobDto = Type.Object({ reason: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))) }, { additionalProperties: false });

export const ListJobsQuery = Type.Object(
  {
    queue_name: Type.Optional(Text()),
    status: Type.Optional(Type.Array(Status)),
    priority: Type.Optional(Priority),
    tags: Type.Optional(Type.Array(Text(), { maxItems: 50 })),
    worker_id: Type.Optional(Text()),
    limit: Type.Optional(PageLimit),
    offset: Type.Optional(Offset),
    cursor: Type.Optional(
      Text({ minLength: 1, description: "Keyset paging: the previous page's next_cursor, with the same order_by and order_dir; not with offset. The total is not counted." }),
    ),
    count: Type.Optional(Type.Boolean({ default: true, description: 'false: leave total and pages null (counting every match is a scan of the jobs)' })),
    order_by: Type.Optional(stringEnum(['created_at', 'scheduled_at', 'priority', 'status', 'started_at', 'completed_at'] as const, { default: 'created_at' })),
    order_dir: Type.Optional(stringEnum(['asc', 'desc'] as const, { default: 'desc' })),
  },
  { additionalProperties: false },
);
export type ListJobsQuery = Static<typeof ListJobsQuery>;

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), page: Type.Integer(), page_size: Type.Integer(), pages: Type.Integer() });

/**
 * The jobs list's page: seed 003's fields, with `total` and `pages` null when not counted
 * (keyset paging, or `count=false`), and `next_cursor` for the page after this one.
 */
export const JobPage = Type.Object({
  items: Type.Array(JobViewDto),
  total: Nullable(Type.Integer()),
  page: Nullable(Type.Integer()),
  page_size: Type.Integer(),
  pages: Nullable(Type.Integer()),
  next_cursor: Nullable(Type.String({ description: 'Pass as cursor for the next page; null on the last page' })),
});

export const IntervalDto = Type.Object(
  {
    seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: INPUT_LIMITS.maxIntervalSeconds })),
    minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: INPUT_LIMITS.maxIntervalSeconds / 60 })),
    hours: Type.Optional(Type.Integer({ minimum: 0, maximum: INPUT_LIMITS.maxIntervalSeconds / 3600 })),
    days: Type.Optional(Type.Integer({ minimum: 0, maximum: INPUT_LIMITS.maxIntervalSeconds / 86400 })),
  },
  { additionalProperties: false },
);
export type IntervalDto = Static<typeof IntervalDto>;

const ScheduleFields = {
  name: Name('Name for the schedule'),
  task_name: Name('Task to execute'),
  cron_expression: Type.Optional(Nullable(Text({ description: 'Cron (5 or 6 fields, descriptors, CRON_TZ=); exclusive with interval.' }))),
  interval: Type.Optional(Nullable(IntervalDto)),
  args: Type.Optional(Type.Array(Type.Unknown())),
  kwargs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  queue_name: Type.Optional(QueueName),
  priority: Type.Optional(Priority),
  tags: Type.Optional(Tags),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  max_retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  retry_delay: Type.Optional(Seconds('Seconds between attempts.')),
  timeout: Type.Optional(Timeout('Seconds an attempt may run.')),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  timezone: Type.Optional(Nullable(Text({ description: 'IANA zone for cron_expression (default UTC).' }))),
  missed_fire_policy: Type.Optional(stringEnum(MISSED_FIRE_POLICIES, { description: 'Occurrences missed while no server ran (default fire_once).' })),
  ...DeliveryFields,
};

export const CreateScheduleDto = Type.Object(ScheduleFields, { additionalProperties: false });
export const CreateScheduleQuery = Type.Object(
  { upsert: Type.Optional(Type.Boolean({ description: 'Update the schedule of the same name in place instead of answering 409.' })) },
  { additionalProperties: false },
);
export type CreateScheduleQuery = Static<typeof CreateScheduleQuery>;
export type CreateScheduleDto = Static<typeof CreateScheduleDto>;

export const UpdateScheduleDto = Type.Object(
  {
    ...Object.fromEntries(Object.entries(ScheduleFields).map(([key, schema]) => [key, Type.Optional(schema)])),
    status: Type.Optional(stringEnum(['active', 'paused'] as const)),
  },
  { additionalProperties: false },
);
export type UpdateScheduleDto = Partial<CreateScheduleDto> & { status?: 'active' | 'paused' };

export const ScheduleViewDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  task_name: Type.String(),
  status: Type.String(),
  cron_expression: Nullable(Type.String()),
  interval: Nullable(IntervalDto),
  args: Type.Array(Type.Unknown()),
  kwargs: Type.Record(Type.String(), Type.Unknown()),
  queue_name: Type.String(),
  priority: Priority,
  tags: Type.Array(Type.String()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  max_retries: Type.Integer(),
  retry_delay: Type.Number(),
  timeout: Type.Number(),
  last_run_at: Nullable(DateTime),
  next_run_at: Nullable(DateTime),
  created_at: DateTime,
  updated_at: DateTime,
  version: Nullable(Type.String()),
  timezone: Nullable(Type.String()),
  missed_fire_policy: Type.String(),
  ...DeliveryFields,
});
export type ScheduleViewDto = Static<typeof ScheduleViewDto>;

export const ListSchedulesQuery = Type.Object(
  {
    status: Type.Optional(stringEnum(['active', 'paused'] as const)),
    tags: Type.Optional(Type.Array(Text(), { maxItems: 50 })),
    limit: Type.Optional(PageLimit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);
export type ListSchedulesQuery = Static<typeof ListSchedulesQuery>;

export const QueueDto = Type.Object({
  name: Type.String(),
  size: Type.Integer(),
  is_paused: Type.Boolean(),
  running: Type.Integer(),
  concurrency: Nullable(Type.Integer()),
});
export type QueueDto = Static<typeof QueueDto>;

export const QueueSettingsDto = Type.Object(
  { concurrency: Nullable(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Most running at once across workers; null = no limit.' })) },
  { additionalProperties: false },
);

export const TaskInfoDto = Type.Object({
  name: Type.String(),
  description: Type.String(),
  is_async: Type.Boolean(),
  timeout: Type.Number(),
  max_retries: Type.Integer(),
  retry_delay: Type.Number(),
  queue: Type.String(),
  version: Type.String(),
});
export type TaskInfoDto = Static<typeof TaskInfoDto>;

export const WorkerDto = Type.Object({
  id: Type.String(),
  hostname: Type.String(),
  pid: Type.Integer(),
  queues: Type.Array(Type.String()),
  tasks: Type.Array(Type.String()),
  concurrency: Type.Integer(),
  status: Type.String(),
  started_at: DateTime,
  last_seen_at: DateTime,
});
export type WorkerDto = Static<typeof WorkerDto>;

const Counters = {
  total_jobs: Type.Integer(),
  pending_jobs: Type.Integer(),
  reserved_jobs: Type.Integer(),
  running_jobs: Type.Integer(),
  completed_jobs: Type.Integer(),
  failed_jobs: Type.Integer(),
  retrying_jobs: Type.Integer(),
  cancelled_jobs: Type.Integer(),
  timeout_jobs: Type.Integer(),
};
export const JobStatsDto = Type.Object({
  ...Counters,
  avg_wait_time: Nullable(Type.Number({ description: 'seconds' })),
  avg_run_time: Nullable(Type.Number({ description: 'seconds' })),
  by_queue: Type.Record(Type.String(), Type.Object(Counters)),
  by_priority: Type.Record(Type.String(), Type.Integer()),
});
export type JobStatsDto = Static<typeof JobStatsDto>;

export const IdParams = (name: string) => Type.Object({ [name]: Type.String({ minLength: 1, maxLength: 512 }) });
export const TaskQuery = Type.Object({ version: Type.Optional(Text()) }, { additionalProperties: false });
