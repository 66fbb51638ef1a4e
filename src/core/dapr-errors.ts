/**
 * How the Dapr runtime (v1.18.3) words a jobs-API error, for Chime's Dapr-runtime surfaces:
 * gRPC `dapr.proto.runtime.v1.Dapr` and HTTP `/v1.0-alpha1/jobs`. One table, read by both, so
 * the gRPC status details and the HTTP `errorCode`/`details` always agree.
 *
 * Sources: dapr/pkg/api/universal/jobs.go (which checks run before the scheduler is called),
 * dapr/pkg/api/errors/scheduler.go and errors.go (messages, ErrorInfo reasons),
 * dapr/pkg/messages/errorcodes (reason strings), dapr/pkg/scheduler/server/api.go and
 * go-etcd-cron (the wording of "not found" and "already exists").
 *
 * Status codes follow Chime's rule that a client's mistake is a 4xx: where Dapr answers
 * INTERNAL/500 (a bad cron, an unknown job on get), Chime answers INVALID_ARGUMENT/400 or
 * NOT_FOUND/404 with the same reason and message (docs/errors.md lists each difference).
 */
import { ERROR_CODES, type ChimeError } from './errors.js';

/** The jobs call that failed: Dapr's message prefix depends on it. */
export type DaprJobsCall = 'schedule' | 'get' | 'delete' | 'list';

/** gRPC status codes used here (google.rpc.Code). */
export const GRPC_CODE = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** The app id and namespace Dapr puts in every ErrorInfo's metadata and in its job keys. */
export const DAPR_APP_ID = 'chime';
export const DAPR_NAMESPACE = 'default';
export const DAPR_ERROR_DOMAIN = 'dapr.io';

export interface DaprError {
  grpcCode: number;
  httpStatus: number;
  /** google.rpc.ErrorInfo reason, and the HTTP body's `errorCode`. */
  reason: string;
  message: string;
  metadata: Record<string, string>;
  /** The request field at fault, when one is. */
  field?: string;
  /**
   * Chime's addition where Dapr has only the scheduler's words: a google.rpc.BadRequest field
   * violation naming the field. Absent where Dapr's answer is already exact.
   */
  violation?: { field: string; description: string };
}

const CALL_PREFIX: Record<DaprJobsCall, string> = {
  schedule: 'failed to schedule job due to: ',
  get: 'failed to get job due to: ',
  delete: 'failed to delete job due to: ',
  list: 'failed to list jobs due to: ',
};

const CALL_REASON: Record<DaprJobsCall, string> = {
  schedule: 'DAPR_SCHEDULER_SCHEDULE_JOB',
  get: 'DAPR_SCHEDULER_GET_JOB',
  delete: 'DAPR_SCHEDULER_DELETE_JOB',
  list: 'DAPR_SCHEDULER_LIST_JOBS',
};

function grpcCodeForStatus(status: number): number {
  if (status === 400 || status === 413 || status === 415) return GRPC_CODE.INVALID_ARGUMENT;
  if (status === 401) return GRPC_CODE.UNAUTHENTICATED;
  if (status === 403) return GRPC_CODE.PERMISSION_DENIED;
  if (status === 404) return GRPC_CODE.NOT_FOUND;
  if (status === 409) return GRPC_CODE.FAILED_PRECONDITION;
  if (status === 503) return GRPC_CODE.UNAVAILABLE;
  return GRPC_CODE.INTERNAL;
}

/**
 * The Dapr-runtime form of an error raised by a jobs call.
 * @param jobName the job the call named, for the messages that quote it.
 */
export function daprErrorFor(error: ChimeError, call: DaprJobsCall, jobName = ''): DaprError {
  const metadata = { appID: DAPR_APP_ID, namespace: DAPR_NAMESPACE };
  const base = { metadata, field: error.field, httpStatus: error.status };
  switch (error.code) {
    case 'JOB_EMPTY':
      return { ...base, grpcCode: GRPC_CODE.INVALID_ARGUMENT, reason: 'DAPR_SCHEDULER_EMPTY', message: 'Job is empty' };
    case 'JOB_NAME_EMPTY':
      return { ...base, grpcCode: GRPC_CODE.INVALID_ARGUMENT, reason: 'DAPR_SCHEDULER_JOB_NAME_EMPTY', message: 'Name is empty' };
    case 'SCHEDULE_EMPTY':
      return { ...base, grpcCode: GRPC_CODE.INVALID_ARGUMENT, reason: 'DAPR_SCHEDULER_SCHEDULE_EMPTY', message: 'Schedule is empty' };
    case 'JOB_NAME_IN_BODY':
      return { ...base, grpcCode: GRPC_CODE.INVALID_ARGUMENT, reason: 'DAPR_SCHEDULER_JOB_NAME', message: 'Set the job name in the url only' };
    case 'JOB_EXISTS':
      return {
        ...base,
        grpcCode: GRPC_CODE.ALREADY_EXISTS,
        reason: CALL_REASON[call],
        message: `${CALL_PREFIX[call]}rpc error: code = AlreadyExists desc = job already exists: 'app||${DAPR_NAMESPACE}||${DAPR_APP_ID}||${jobName}'`,
      };
    case 'JOB_NOT_FOUND':
      return {
        ...base,
        grpcCode: GRPC_CODE.NOT_FOUND,
        reason: CALL_REASON[call],
        message: `${CALL_PREFIX[call]}rpc error: code = NotFound desc = job not found: ${jobName}`,
      };
    case 'MALFORMED_JSON':
    case 'BODY_TOO_LARGE':
    case 'UNSUPPORTED_MEDIA_TYPE':
      // Dapr's HTTP handler, before any jobs rule runs (messages.ErrMalformedRequest).
      return { ...base, grpcCode: GRPC_CODE.INVALID_ARGUMENT, reason: 'ERR_MALFORMED_REQUEST', message: `failed deserializing HTTP body: ${error.message}` };
    default: {
      // Validation and store failures: Dapr's wrapper around the scheduler's own words.
      const grpcCode = grpcCodeForStatus(error.status);
      const reason = error.status === 400 || error.status >= 500 ? CALL_REASON[call] : ERROR_CODES[error.code].daprCode;
      const violation = error.field === undefined ? undefined : { field: error.field, description: error.message };
      return { ...base, grpcCode, reason, message: CALL_PREFIX[call] + error.message, ...(violation ? { violation } : {}) };
    }
  }
}

/** The HTTP body Dapr's runtime answers with (dapr/kit errors JSONErrorValue), plus Chime's code and field. */
export function daprErrorBody(error: DaprError, chimeCode: string): Record<string, unknown> {
  return {
    errorCode: error.reason,
    message: error.message,
    details: [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: error.reason, domain: DAPR_ERROR_DOMAIN, metadata: error.metadata },
    ],
    code: chimeCode,
    ...(error.field === undefined ? {} : { field: error.field }),
  };
}
