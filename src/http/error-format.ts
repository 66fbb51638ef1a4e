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
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { daprErrorBody, daprErrorFor, type DaprJobsCall } from '../core/dapr-errors.js';
import { ChimeError, ERROR_CODES, isChimeError } from '../core/errors.js';

/** Longest path segment (a job name, percent-encoded) the router accepts. */
export const MAX_PARAM_LENGTH = 2048;

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
    case 'FST_ERR_BAD_URL':
      return new ChimeError('BAD_REQUEST', 'path: not a valid URL component (bad percent-encoding)', { field: 'path', cause: error });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ChimeError('URI_TOO_LONG', `path: a segment is longer than ${MAX_PARAM_LENGTH} characters`, { field: 'path', cause: error });
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

/** Sends `error` in the documented shape; 401s say how to authenticate (RFC 6750). */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, log: (error: unknown, requestId: string) => void): void {
  const chime = toChimeError(error);
  if (chime.code === 'INTERNAL') log(error, request.id);
  if (chime.code === 'UNAUTHORIZED') {
    const problem = /missing Authorization/.test(chime.message) ? '' : ', error="invalid_token"';
    void reply.header('www-authenticate', `Bearer realm="chime"${problem}`);
  }
  const family = errorFamily(request.url);
  void reply.status(chime.status).send(family === 'dapr-runtime' ? daprRuntimeBody(chime, request) : errorBody(chime, family));
}

/**
 * Fastify's `frameworkErrors`: a bad percent-encoding or an over-long path segment, found
 * before any route runs, answered in the documented shape too.
 */
export function frameworkErrorHandler(log: (error: unknown, requestId: string) => void) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => sendError(error, request, reply, log);
}

/**
 * Node's `clientError` (through Fastify's clientErrorHandler): headers over the limit (431),
 * a request Node cannot parse (400), a request that timed out (408). No request object
 * exists yet, so the answer is written on the socket, in the shape of unrouted errors.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  let chime: ChimeError;
  let status: number;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    chime = new ChimeError('HEADERS_TOO_LARGE', 'headers: larger than the server accepts', { field: 'headers' });
    status = 431;
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    chime = new ChimeError('BAD_REQUEST', 'request: not received in time');
    status = 408;
  } else {
    chime = new ChimeError('BAD_REQUEST', 'request: not a valid HTTP request');
    status = 400;
  }
  const body = JSON.stringify(errorBody(chime, 'other'));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The 404 for a request no route answers; the dashboard's own not-found handler throws it too. */
export function noRouteError(request: FastifyRequest): ChimeError {
  return new ChimeError('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`);
}

export function installErrorHandling(app: FastifyInstance, log: (error: unknown, requestId: string) => void): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => sendError(error, request, reply, log));
  app.setNotFoundHandler((request, reply) => {
    const chime = noRouteError(request);
    const family = errorFamily(request.url);
    void reply.status(404).send(errorBody(chime, family === 'dapr-runtime' ? 'dapr' : family));
  });
}
