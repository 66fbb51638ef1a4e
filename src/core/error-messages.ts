/**
 * Message templates of the error registry (`errors.ts`): each names its code (and so its HTTP
 * status) and its text, with `{parameter}` slots filled by `chimeError(id, params)`. A store
 * backend, a Lua script or a route gives an id and parameters, never its own text, so every
 * backend says the same thing. Routes and services still building `new ChimeError(code,
 * text)` keep working; moving them here is a matter of adding their template.
 */
import type { ErrorCode } from './error-codes.js';

export interface MessageSpec {
  code: ErrorCode;
  template: string;
  /** The request field the message is about, when it is always the same one. */
  field?: string;
}

export const MESSAGES = {
  STORE_NOT_OPEN: { code: 'STORE_UNAVAILABLE', template: 'the {backend} store is not open' },
  STORE_LOCKED: { code: 'STORE_UNAVAILABLE', template: 'the SQLite file is locked by another process; retry' },
  STORE_ROWS_BUSY: { code: 'STORE_UNAVAILABLE', template: 'PostgreSQL: the rows are busy in another transaction; retry' },
  STORE_DOWN: { code: 'STORE_UNAVAILABLE', template: '{backend} is unavailable{detail}' },
  STORE_BUSY: { code: 'STORE_UNAVAILABLE', template: '{backend} cannot serve the request right now: {reply}' },
  STORE_UNREACHABLE: { code: 'STORE_UNAVAILABLE', template: '{backend} is unreachable ({problem}); retry later' },
  STORE_LAYOUT_NEWER: {
    code: 'INTERNAL',
    template: 'the {backend} data under "{where}" has layout {found}, newer than this Chime knows ({known}); upgrade Chime',
  },
  JOB_ID_EXISTS: { code: 'JOB_EXISTS', template: 'a job with id "{id}" already exists', field: 'job_id' },
  /** A duplicate the database reported without saying which id (a unique index). */
  JOB_ID_CONFLICT: { code: 'JOB_EXISTS', template: 'a job with that id already exists' },
  JOB_NAME_EXISTS: { code: 'JOB_EXISTS', template: 'job "{name}" already exists' },
  JOB_ID_TWICE: { code: 'JOB_EXISTS', template: 'a job with id "{id}" appears twice in the batch', field: 'job_id' },
  OCCURRENCE_TAKEN: { code: 'JOB_EXISTS', template: 'schedule "{scheduleId}" already has a job for occurrence {occurrence}' },
  OCCURRENCE_TWICE: { code: 'JOB_EXISTS', template: 'schedule "{scheduleId}" has occurrence {occurrence} twice in the batch' },
  SCHEDULE_ID_EXISTS: { code: 'JOB_EXISTS', template: 'a schedule with id "{id}" already exists' },
  /** A `/api/v1` schedule's name is unique among those schedules (the store checks it atomically). */
  SCHEDULE_NAME_EXISTS: { code: 'SCHEDULE_EXISTS', template: 'a schedule named "{name}" already exists', field: 'name' },
  JOB_NOT_CANCELLABLE: {
    code: 'INVALID_STATE',
    template: 'job "{id}" is {status}; only pending, retrying or running jobs can be cancelled',
  },
  JOB_NOT_RETRYABLE: {
    code: 'INVALID_STATE',
    template: 'job "{id}" is {status}; only failed, timeout or cancelled jobs can be retried',
  },
  STORE_OPTION_INVALID: { code: 'INVALID_ARGUMENT', template: 'store: {option} must be {allowed}, not "{value}"', field: 'store' },
  STORE_OPTION_UNKNOWN: { code: 'INVALID_ARGUMENT', template: 'store: unknown {backend} option "{option}"', field: 'store' },
  STORE_OPTION_RANGE: { code: 'INVALID_ARGUMENT', template: 'store: {option} must be {range}', field: 'store' },
  FIELD_INVALID: { code: 'INVALID_ARGUMENT', template: '{field}: {problem}' },
} as const satisfies Record<string, MessageSpec>;

export type MessageId = keyof typeof MESSAGES;

/** The `{name}` slots of a template, as a union of names. */
type SlotsOf<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | SlotsOf<Rest> : never;

/** The parameters a template needs: one value per slot. */
export type MessageParams<M extends MessageId> = { readonly [K in SlotsOf<(typeof MESSAGES)[M]['template']>]: string | number };
