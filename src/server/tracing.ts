/**
 * OpenTelemetry spans for jobs, following the messaging semantic conventions:
 * - `create <queue>` (PRODUCER) around a create request's store write; its context is the
 *   `traceparent` stored with the jobs;
 * - `fire <queue>` (CONSUMER, operation `receive`) for each firing, from the due time to the
 *   start of the attempt: its length is the firing's lateness;
 * - `attempt <queue>` (CONSUMER, operation `process`), child of the fire span, for the attempt;
 *   the callback carries its context as `traceparent`.
 *
 * `@opentelemetry/api` is an optional peer dependency (as pg-boss has it): loaded only when
 * the app installed it, and used only when a tracer provider was registered before the server
 * started; otherwise Chime only passes each job's stored context on (UNTRACED).
 */
import type * as Otel from '@opentelemetry/api';
import type { LifecycleEvent } from '../core/lifecycle-events.js';
import { formatTraceparent, parseTraceparent, validTraceparent, type JobTracing } from '../core/job-tracing.js';

type Api = typeof Otel;

/** Attempts whose span is open; a job released at shutdown never gets an outcome, so capped. */
const MAX_OPEN_ATTEMPTS = 100_000;

/**
 * The OpenTelemetry API when the app has it installed and registered a tracer provider before
 * the server started, else null: then no span is ever started and no listener subscribed.
 */
export async function loadOpenTelemetry(): Promise<Api | null> {
  let api: Api;
  try {
    api = await import('@opentelemetry/api');
  } catch {
    return null;
  }
  return tracerRegistered(api) ? api : null;
}

/**
 * Until an SDK registers one, the global provider is a proxy over the API's no-op provider
 * (the API exports no other way to tell).
 */
function tracerRegistered(api: Api): boolean {
  const provider = api.trace.getTracerProvider();
  if (!(provider instanceof api.ProxyTracerProvider)) return true;
  return provider.getDelegate().constructor.name !== 'NoopTracerProvider';
}

export class OtelJobTracing implements JobTracing {
  private readonly tracer: Otel.Tracer;
  private readonly open = new Map<string, { span: Otel.Span; traceparent: string }>();

  constructor(
    private readonly api: Api,
    version: string,
  ) {
    this.tracer = api.trace.getTracer('chime', version);
  }

  async create<T>(destination: string, incoming: unknown, count: number, write: (traceparent: string | null) => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(
      `create ${destination}`,
      {
        kind: this.api.SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'chime',
          'messaging.operation.type': 'create',
          'messaging.operation.name': 'create',
          'messaging.destination.name': destination,
          ...(count > 1 ? { 'messaging.batch.message_count': count } : {}),
        },
      },
      this.parentOfCreate(incoming),
    );
    if (!span.isRecording()) return write(validTraceparent(incoming));
    try {
      return await write(this.traceparentOf(span));
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  }

  callbackTraceparent(job: { id: string; traceparent?: string | null }): string | null {
    return this.open.get(job.id)?.traceparent ?? job.traceparent ?? null;
  }

  /** Reads the lifecycle stream: a fire and an attempt span per firing, ended by its outcome. */
  readonly onEvent = (event: LifecycleEvent): void => {
    if (event.type === 'job.fired') {
      const { job } = event;
      // A fresh literal per span rather than a shared one spread and extended: properties
      // after a spread take V8's slow path (docs/architecture.md, "Per-job code").
      const attributes = (operationType: string, operationName: string): Otel.Attributes => ({
        'messaging.system': 'chime',
        'messaging.destination.name': job.queue,
        'messaging.message.id': job.jobId,
        'chime.job.name': job.name ?? job.taskName ?? '',
        'chime.job.attempt': job.attempt,
        'chime.node': event.nodeId,
        'messaging.operation.type': operationType,
        'messaging.operation.name': operationName,
      });
      const fireAttributes = attributes('receive', 'fire');
      fireAttributes['chime.lateness_ms'] = event.lateMs;
      const parent = this.remoteContext(job.traceparent);
      const { CONSUMER } = this.api.SpanKind;
      const fire = this.tracer.startSpan(
        `fire ${job.queue}`,
        { kind: CONSUMER, startTime: Math.min(job.runAt, event.at), attributes: fireAttributes },
        parent,
      );
      if (!fire.isRecording()) return;
      fire.end(event.at);
      const attempt = this.tracer.startSpan(
        `attempt ${job.queue}`,
        { kind: CONSUMER, startTime: event.at, attributes: attributes('process', 'attempt') },
        this.api.trace.setSpan(parent, fire),
      );
      if (this.open.size >= MAX_OPEN_ATTEMPTS) this.open.clear();
      this.open.set(job.jobId, { span: attempt, traceparent: this.traceparentOf(attempt) });
      return;
    }
    if (!('outcome' in event)) return;
    const open = this.open.get(event.job.jobId);
    if (!open) return;
    this.open.delete(event.job.jobId);
    const { span } = open;
    if (event.outcome) span.setAttribute('chime.outcome', event.outcome);
    if (event.httpStatus !== null) span.setAttribute('http.response.status_code', event.httpStatus);
    if (event.type !== 'job.succeeded') {
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: event.error?.message ?? event.outcome ?? event.type });
      if (event.error) span.setAttribute('error.type', event.error.type);
    }
    span.end(event.at);
  };

  /** Ends the spans of attempts that never got an outcome (handed back at shutdown). */
  close(): void {
    for (const { span } of this.open.values()) span.end();
    this.open.clear();
  }

  /** The app's active span (its HTTP instrumentation) if one records, else the request's header. */
  private parentOfCreate(incoming: unknown): Otel.Context {
    const active = this.api.context.active();
    if (this.api.trace.getSpan(active)?.isRecording()) return active;
    return this.remoteContext(incoming);
  }

  private remoteContext(traceparent: unknown): Otel.Context {
    const ids = parseTraceparent(traceparent);
    if (!ids) return this.api.ROOT_CONTEXT;
    return this.api.trace.setSpanContext(this.api.ROOT_CONTEXT, { traceId: ids.traceId, spanId: ids.spanId, traceFlags: ids.flags & 1, isRemote: true });
  }

  private traceparentOf(span: Otel.Span): string {
    const context = span.spanContext();
    return formatTraceparent({ traceId: context.traceId, spanId: context.spanId, flags: context.traceFlags });
  }
}
