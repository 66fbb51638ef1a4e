/** Route schemas of the Dapr-style Jobs API (both dialects). They drive validation and OpenAPI. */
import { Type, type Static } from '@sinclair/typebox';
import { INPUT_LIMITS } from '../../core/input-limits.js';
import { MISSED_FIRE_POLICIES } from '../../core/types.js';
import { Count, Offset, PageLimit, Text, stringEnum } from '../schemas/common.js';
import { DeliveryTarget, HookUrl } from '../schemas/delivery.js';

const missedFire = stringEnum(MISSED_FIRE_POLICIES, {
  description: 'What happens to occurrences missed while no server ran (Chime extension). Default fire_once.',
});
const failurePolicy = Type.Object({}, {
  additionalProperties: true,
  description: '{"drop":{}}, {"constant":{"interval":"5s","maxRetries":3}} or (Chime extension) {"exponential":{...}}',
});

/** Both spellings Dapr accepts are listed; the handler folds them and refuses duplicates. */
export const DaprJobBody = Type.Object(
  {
    name: Type.Optional(Type.Unknown({ description: 'Refused on /v1.0-alpha1 (the name goes in the URL).' })),
    schedule: Type.Optional(Text({ description: 'Cron (5 or 6 fields), @every <duration>, @daily..., optional CRON_TZ= prefix; empty for one-shot.' })),
    repeats: Type.Optional(Count('Total firings; 0 or unset = forever (1 for a one-shot).')),
    dueTime: Type.Optional(Text({ description: 'First firing: RFC 3339, Go duration from now (10s), or ISO-8601 duration (PT10S).' })),
    due_time: Type.Optional(Text()),
    ttl: Type.Optional(Text({ description: 'No firing at or after this: same forms as dueTime.' })),
    data: Type.Optional(Type.Unknown({ description: 'Any JSON value, delivered to the app.' })),
    overwrite: Type.Optional(Type.Boolean({ description: 'Replace a live job of the same name instead of answering 409.' })),
    failurePolicy: Type.Optional(failurePolicy),
    failure_policy: Type.Optional(failurePolicy),
    missedFirePolicy: Type.Optional(missedFire),
    missed_fire_policy: Type.Optional(missedFire),
    events: Type.Optional(
      Type.Array(Type.String(), { maxItems: 16, description: 'Chime extension: the event types this job publishes (docs/events.md), overriding --events-types; [] for none.' }),
    ),
    topic: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, description: 'Chime extension: deliver each firing to this broker topic (through --events-url) instead of the app callback.' }),
    ),
    target: Type.Optional(DeliveryTarget),
    onFailure: Type.Optional(HookUrl('failure')),
    on_failure: Type.Optional(HookUrl('failure')),
    onSuccess: Type.Optional(HookUrl('success')),
    on_success: Type.Optional(HookUrl('success')),
  },
  { additionalProperties: false },
);
export type DaprJobBodyType = Static<typeof DaprJobBody>;

export const JobNameParams = Type.Object({ name: Type.String({ maxLength: INPUT_LIMITS.jobNameLength, description: 'The job name.' }) });
export type JobNameParamsType = Static<typeof JobNameParams>;

/** POST routes take no query parameters: a raw "?" in a job name must not be silently cut off. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

export const ListJobsQuery = Type.Object(
  {
    prefix: Type.Optional(Text({ description: 'Only names starting with this.' })),
    status: Type.Optional(
      Type.Array(stringEnum(['scheduled', 'paused', 'completed', 'expired', 'failed'] as const), {
        description: 'Filter by status (repeatable).',
      }),
    ),
    limit: Type.Optional(PageLimit),
    cursor: Type.Optional(Text({ description: 'The next_cursor of the previous page.' })),
  },
  { additionalProperties: false },
);
export type ListJobsQueryType = Static<typeof ListJobsQuery>;

export const HistoryQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit),
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: INPUT_LIMITS.maxId, description: 'Entries older than this id.' })),
  },
  { additionalProperties: false },
);
export type HistoryQueryType = Static<typeof HistoryQuery>;

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);
export type PageQueryType = Static<typeof PageQuery>;

export const JobIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: INPUT_LIMITS.jobNameLength }) });
export type JobIdParamsType = Static<typeof JobIdParams>;
