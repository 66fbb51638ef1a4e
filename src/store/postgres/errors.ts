/** Maps `pg` driver and server failures into the error registry (src/core/errors.ts). */
import { ChimeError, chimeError } from '../../core/errors.js';

/** Socket-level failures: the server is down, restarting or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean "not now" rather than "wrong": admin_shutdown, crash_shutdown,
 * cannot_connect_now (starting up), too_many_connections, query_canceled (our statement
 * timeout fired), and the whole class 08 (connection exceptions).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** pg-pool and the client report these without a code. */
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /connection timeout/i,
  /query read timeout/i,
  /not queryable/i,
  /client was closed/i,
];

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
  }
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // An AggregateError from a host name that resolves to several addresses, all refused.
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return false;
}

/** Deadlocks and serialization failures: the transaction can simply run again. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** A row lock we asked for with NOWAIT is held by another transaction. */
export function isLockNotAvailable(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '55P03';
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

export function mapPgError(error: unknown): unknown {
  if (error instanceof ChimeError) return error;
  if (isUniqueViolation(error)) {
    return chimeError('JOB_ID_CONFLICT', {}, { cause: error });
  }
  if (isTransient(error) || isLockNotAvailable(error)) {
    // Still conflicting after the transaction ran again several times (context.ts).
    return chimeError('STORE_ROWS_BUSY', {}, { cause: error });
  }
  if (isUnavailable(error)) {
    const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
    return chimeError('STORE_DOWN', { backend: 'PostgreSQL', detail }, { cause: error });
  }
  return error;
}
