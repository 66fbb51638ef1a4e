/**
 * The one error registry. Every failure a client can see has a stable code here, an HTTP
 * status and a message template; backends and routes map their failures into these so all
 * backends answer alike. `docs/errors.md` documents every code (a test checks that).
 * The message templates are in `error-messages.ts`; `chimeError` builds an error from one.
 */
import { MESSAGES, type MessageId, type MessageParams, type MessageSpec } from './error-messages.js';

export { MESSAGES, type MessageId, type MessageParams } from './error-messages.js';

export interface ErrorSpec {
  status: number;
  /** Dapr's `errorCode` for the Dapr dialects. */
  daprCode: string;
  description: string;
}

export const ERROR_CODES = {
  INVALID_ARGUMENT: {
    status: 400,
    daprCode: 'DAPR_SCHEDULER_SCHEDULE_JOB',
    description: 'A field of the request is missing, of the wrong type, or out of range; the message names the field.',
  },
  MALFORMED_JSON: {
    status: 400,
    daprCode: 'ERR_MALFORMED_REQUEST',
    description: 'The request body is not valid JSON.',
  },
  BAD_REQUEST: {
    status: 400,
    daprCode: 'ERR_MALFORMED_REQUEST',
    description: 'The HTTP request itself is malformed: a bad percent-encoding in the path, a broken request line.',
  },
  URI_TOO_LONG: {
    status: 414,
    daprCode: 'ERR_MALFORMED_REQUEST',
    description: 'A path segment (a job name or id) is longer than the server accepts.',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    daprCode: 'ERR_MALFORMED_REQUEST',
    description: "The request's headers are larger than the server accepts (Node's 16 KiB by default).",
  },
  NO_WORKER: {
    status: 409,
    daprCode: 'ERROR',
    description: 'run-sync: no live worker serves the queue and task, so the job could not start; pass `wait: true` to wait for one.',
  },
  JOB_NAME_IN_BODY: {
    status: 400,
    daprCode: 'DAPR_SCHEDULER_JOB_NAME',
    description: 'Dapr dialect: the job name belongs in the URL only.',
  },
  JOB_NAME_EMPTY: {
    status: 400,
    daprCode: 'DAPR_SCHEDULER_JOB_NAME_EMPTY',
    description: 'The job name is empty (or only spaces).',
  },
  SCHEDULE_EMPTY: {
    status: 400,
    daprCode: 'DAPR_SCHEDULER_SCHEDULE_EMPTY',
    description: 'A Dapr job has neither a schedule nor a dueTime.',
  },
  JOB_EMPTY: {
    status: 400,
    daprCode: 'DAPR_SCHEDULER_EMPTY',
    description: 'gRPC: a ScheduleJob request without a job.',
  },
  BODY_TOO_LARGE: {
    status: 413,
    daprCode: 'ERR_MALFORMED_REQUEST',
    description: 'The request body is larger than the server accepts (`--body-limit`).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    daprCode: 'ERR_MALFORMED_REQUEST',
    description: 'The request body is not `application/json`.',
  },
  JOB_NOT_FOUND: {
    status: 404,
    daprCode: 'DAPR_SCHEDULER_GET_JOB',
    description: 'No job with that name or id.',
  },
  JOB_EXISTS: {
    status: 409,
    daprCode: 'DAPR_SCHEDULER_SCHEDULE_JOB',
    description: 'A job with that name or id already exists (pass `overwrite: true` to replace a Dapr job).',
  },
  INVALID_STATE: {
    status: 409,
    daprCode: 'DAPR_SCHEDULER_SCHEDULE_JOB',
    description: 'The job or schedule is in a status that does not allow the operation.',
  },
  SCHEDULE_EXISTS: {
    status: 409,
    daprCode: 'DAPR_SCHEDULER_SCHEDULE_JOB',
    description: 'A schedule with that name already exists (create with `?upsert=true` to update it in place).',
  },
  SCHEDULE_NOT_FOUND: {
    status: 404,
    daprCode: 'DAPR_SCHEDULER_GET_JOB',
    description: 'No schedule with that id.',
  },
  TASK_NOT_FOUND: {
    status: 400,
    daprCode: 'DAPR_SCHEDULER_SCHEDULE_JOB',
    description: 'No worker has registered a task with that name (and version).',
  },
  NOT_FOUND: {
    status: 404,
    daprCode: 'ERR_API_UNIMPLEMENTED',
    description: 'No route matches the method and path.',
  },
  UNAUTHORIZED: {
    status: 401,
    daprCode: 'ERR_UNAUTHORIZED',
    description: 'The bearer token is missing, malformed, badly signed or expired.',
  },
  FORBIDDEN: {
    status: 403,
    daprCode: 'ERR_PERMISSION_DENIED',
    description: "The token is valid but lacks the scope the endpoint needs (read, write or admin).",
  },
  CSRF_REJECTED: {
    status: 403,
    daprCode: 'ERR_PERMISSION_DENIED',
    description: 'A state-changing dashboard request (session cookie) lacks the session\'s `x-chime-csrf` header.',
  },
  TARGET_NOT_ALLOWED: {
    status: 403,
    daprCode: 'ERR_PERMISSION_DENIED',
    description: "A job's `target` URL or hook URL is outside the server's outbound allowlist (`--allow-target`); the message names the field.",
  },
  DAPR_API_TOKEN_INVALID: {
    status: 401,
    daprCode: 'ERR_UNAUTHORIZED',
    description: 'The server runs with `DAPR_API_TOKEN` and the request to the Dapr-style API has no matching `dapr-api-token` header.',
  },
  TASK_FAILED: {
    status: 422,
    daprCode: 'ERROR',
    description: 'run-sync: the task ran and raised an error; the message is the task\'s.',
  },
  RUN_TIMEOUT: {
    status: 504,
    daprCode: 'ERROR',
    description: 'run-sync: the job did not finish within its timeout.',
  },
  STORE_UNAVAILABLE: {
    status: 503,
    daprCode: 'DAPR_SCHEDULER_SCHEDULE_JOB',
    description: 'The store (PostgreSQL or Redis) cannot be reached right now; retry later.',
  },
  INTERNAL: {
    status: 500,
    daprCode: 'ERR_INTERNAL',
    description: 'An unexpected server error; the log has the details.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error a client may see. `field` names the offending request field, when there is one. */
export class ChimeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  /** The template it was made from (`chimeError`), with its parameters; absent for a free-text message. */
  readonly template: { id: MessageId; params: Readonly<Record<string, string | number>> } | undefined;

  constructor(code: ErrorCode, message: string, options: ChimeErrorOptions & { template?: ChimeError['template'] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChimeError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.field = options.field;
    this.template = options.template;
  }
}

export interface ChimeErrorOptions {
  /** The request field at fault; defaults to the template's own `field`. */
  field?: string;
  cause?: unknown;
}

/**
 * The error a message template describes (fastify's `createError`, one table instead of one
 * constructor each): `chimeError('JOB_NOT_CANCELLABLE', { id, status })`. The code (and so
 * the HTTP status) and the text come from `MESSAGES`; the caller gives only the parameters,
 * so every backend and route says the same thing the same way.
 */
export function chimeError<M extends MessageId>(id: M, params: MessageParams<M>, options: ChimeErrorOptions = {}): ChimeError {
  const spec: MessageSpec = MESSAGES[id];
  const values = params as Readonly<Record<string, string | number>>;
  const field = options.field ?? spec.field;
  return new ChimeError(spec.code, formatMessage(spec.template, values), {
    ...(field === undefined ? {} : { field }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    template: { id, params: values },
  });
}

/** The message of a template with its parameters filled in (`{name}` → the value of `name`). */
export function formatMessage(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export function isMessageId(id: string): id is MessageId {
  return Object.hasOwn(MESSAGES, id);
}

/** A 400 naming the field: `invalidField('repeats', 'must be 0 or more')` → "repeats: must be 0 or more". */
export function invalidField(field: string, problem: string): ChimeError {
  return chimeError('FIELD_INVALID', { field, problem }, { field });
}

export function isChimeError(error: unknown): error is ChimeError {
  return error instanceof ChimeError;
}

/**
 * Raised by the schedule-maths parsers (durations, timestamps, cron). Carries only the
 * problem; the caller knows which field it parsed and wraps it with `invalidField`.
 */
export class SyntaxProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyntaxProblem';
  }
}

/** Runs a parser and turns its SyntaxProblem into a 400 that names `field`. */
export function parseField<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SyntaxProblem) throw invalidField(field, error.message);
    throw error;
  }
}
