/**
 * Maps every error to the registry and formats it the way each API family's clients expect:
 * - `/api/v1/...` (seed 003): {"detail": "..."};
 * - `/v1.0/...` (Dapr, seed 000): {"errorCode": "DAPR_...", "message": "..."};
 * - `/v1.0-alpha1/...` (the Dapr runtime): the runtime's own errorCode, message and ErrorInfo
 *   details (src/core/dapr-errors.ts, shared with the gRPC API);
 * - anything else: {"error": "CODE", "message": "..."}.
 * Every body also carries Chime's stable `code` (and `field` when one is at fault).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { daprErrorBody, daprErrorFor, type DaprJobsCall } from '../core/dapr-errors.js';
import { ChimeError, ERROR_CODES, isChimeError } from '../core/errors.js';

export function toChimeError(error: unknown): ChimeError {
  if (isChimeError(error)) return error;
  const fastifyError = error as FastifyError & { validation?: unknown };
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ChimeError('MALFORMED_JSON', `body: ${fastifyError.message}`, { field: 'body', cause: error });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ChimeError('BODY_TOO_LARGE', 'body: larger than the server accepts', { field: 'body', cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ChimeError('UNSUPPORTED_MEDIA_TYPE', 'body: send application/json', { cause: error });
  }
  if (error instanceof SyntaxError) {
    return new ChimeError('MALFORMED_JSON', `body: not valid JSON (${error.message})`, { field: 'body', cause: error });
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ChimeError('INVALID_ARGUMENT', fastifyError.message, { cause: error });
  }
  return new ChimeError('INTERNAL', 'internal error', { cause: error });
}

export type ErrorFamily = 'v1' | 'dapr' | 'dapr-runtime' | 'other';

export function errorFamily(url: string): ErrorFamily {
  if (url.startsWith('/api/')) return 'v1';
  if (url.startsWith('/v1.0-alpha1/')) return 'dapr-runtime';
  if (url.startsWith('/v1.0')) return 'dapr';
  return 'other';
}

const CALL_BY_METHOD: Record<string, DaprJobsCall> = { POST: 'schedule', GET: 'get', DELETE: 'delete' };

/** The runtime dialect's body: which call failed, on which job, decides Dapr's wording. */
function daprRuntimeBody(error: ChimeError, request: Pick<FastifyRequest, 'method' | 'params'>): Record<string, unknown> {
  const name = (request.params as { name?: string } | undefined)?.name ?? '';
  return daprErrorBody(daprErrorFor(error, CALL_BY_METHOD[request.method] ?? 'get', name), error.code);
}

export function errorBody(error: ChimeError, family: ErrorFamily): Record<string, unknown> {
  const extra = error.field === undefined ? { code: error.code } : { code: error.code, field: error.field };
  switch (family) {
    case 'v1':
      return { detail: error.message, ...extra };
    case 'dapr':
    case 'dapr-runtime':
      return { errorCode: ERROR_CODES[error.code].daprCode, message: error.message, ...extra };
    default:
      return { error: error.code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) };
  }
}

export function installErrorHandling(app: FastifyInstance, log: (error: unknown) => void): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const chime = toChimeError(error);
    if (chime.code === 'INTERNAL') log(error);
    const family = errorFamily(request.url);
    void reply.status(chime.status).send(family === 'dapr-runtime' ? daprRuntimeBody(chime, request) : errorBody(chime, family));
  });
  app.setNotFoundHandler((request, reply) => {
    const chime = new ChimeError('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`);
    const family = errorFamily(request.url);
    void reply.status(404).send(errorBody(chime, family === 'dapr-runtime' ? 'dapr' : family));
  });
}
