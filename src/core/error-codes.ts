/**
 * The codes of the error registry: each has an HTTP status, Dapr's `errorCode` and a one-line
 * description (`docs/errors.md` documents every code; a test checks that). Apart from
 * `errors.ts` so the message templates (`error-messages.ts`) can name codes without a circle.
 */

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
  INVALID_OPTION: {
    status: 400,
    daprCode: 'ERR_MALFORMED_REQUEST',
    description: 'A server or CLI option (flag or environment variable) has a value that does not parse; the message names the option. The CLI exits 2.',
  },
  OPTION_OUT_OF_RANGE: {
    status: 400,
    daprCode: 'ERR_MALFORMED_REQUEST',
    description: 'A server or CLI option is outside its allowed range; the message names the option and the range. The CLI exits 2.',
  },
  MISSING_OPTION: {
    status: 400,
    daprCode: 'ERR_MALFORMED_REQUEST',
    description: 'A required CLI option is missing (`chime worker --tasks`). The CLI exits 2.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
