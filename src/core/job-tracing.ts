/**
 * W3C trace context for jobs (docs/operations.md, "Traces"). A create request's `traceparent`
 * is stored with its jobs; their firings join that trace, and every callback carries a
 * `traceparent` on, so the app's handling joins the trace that scheduled it. The services and
 * the callback runner see only this interface; src/server/tracing.ts implements it with
 * OpenTelemetry when the app has `@opentelemetry/api` installed.
 */
import type { JobTemplate } from './types.js';

/** version 00, trace id, parent span id, flags (W3C Trace Context, level 1). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceIds {
  traceId: string;
  spanId: string;
  /** Bit 0: sampled. */
  flags: number;
}

/** The parts of a valid `traceparent`, or null (absent, malformed, or all-zero ids). */
export function parseTraceparent(value: unknown): TraceIds | null {
  if (typeof value !== 'string') return null;
  const match = TRACEPARENT.exec(value.trim());
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return null;
  return { traceId: match[1]!, spanId: match[2]!, flags: parseInt(match[3]!, 16) };
}

export function formatTraceparent(ids: TraceIds): string {
  return `00-${ids.traceId}-${ids.spanId}-${(ids.flags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A valid `traceparent` header value, normalised, or null. */
export function validTraceparent(value: unknown): string | null {
  const ids = parseTraceparent(value);
  return ids ? formatTraceparent(ids) : null;
}

export interface JobTracing {
  /**
   * Runs a create's store write (in a producer span when a tracer records): `write` gets the
   * traceparent to store with the new jobs. `incoming` is the request's `traceparent` header.
   */
  create<T>(destination: string, incoming: unknown, count: number, write: (traceparent: string | null) => Promise<T>): Promise<T>;
  /** The `traceparent` header for the callback of the attempt now starting. */
  callbackTraceparent(job: { id: string; traceparent?: string | null }): string | null;
}

/** Without a tracer: the request's context is stored as it came and sent on as it is stored. */
export const UNTRACED: JobTracing = {
  create: (_destination, incoming, _count, write) => write(validTraceparent(incoming)),
  callbackTraceparent: (job) => job.traceparent ?? null,
};

/** A schedule whose template (so every occurrence) carries `traceparent`. */
export function scheduleWithTrace<S extends { template: JobTemplate }>(schedule: S, traceparent: string | null): S {
  return traceparent === null ? schedule : { ...schedule, template: { ...schedule.template, traceparent } };
}
