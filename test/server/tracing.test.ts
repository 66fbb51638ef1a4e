/**
 * Traces with the OpenTelemetry SDK's in-memory exporter: the create, fire and attempt spans
 * of a job form one trace with the request that created it, and the callback carries a
 * `traceparent` of that trace.
 */
import { SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { formatTraceparent, parseTraceparent } from '../../src/core/job-tracing.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { Receiver } from '../support/receiver.js';
import { advanceInSteps, startTestServer } from '../support/server.js';

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

describe('traces', () => {
  let clock: VirtualClock;
  let receiver: Receiver;
  let server: ChimeServer | undefined;
  let exporter: InMemorySpanExporter;

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await receiver.stop();
    trace.disable();
  });

  async function setup(): Promise<void> {
    exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    clock = new VirtualClock(T0);
    receiver = new Receiver();
    const appUrl = await receiver.start();
    server = await startTestServer({ clock, appUrl, maxRetries: 1 });
  }

  const run = (steps: number, stepMs: number) => advanceInSteps(server!, clock, steps, stepMs);

  it('links create, fire and each attempt in the trace of the creating request; callbacks carry it on', async () => {
    await setup();
    let calls = 0;
    receiver.respond = () => (++calls === 1 ? 503 : 200);
    // The app's own span around its call to Chime: what an instrumented HTTP client sends.
    const app = trace.getTracer('app').startSpan('app schedules a reminder');
    const ids = app.spanContext();
    const created = await server!.app.inject({
      method: 'POST',
      url: '/v1.0/jobs/traced',
      headers: { traceparent: formatTraceparent({ traceId: ids.traceId, spanId: ids.spanId, flags: 1 }) },
      payload: { dueTime: '1s', data: { n: 1 } },
    });
    expect(created.statusCode, created.body).toBeLessThan(300);
    app.end();
    await run(6, 500);

    const spans = exporter.getFinishedSpans();
    const named = (prefix: string) => spans.filter((s) => s.name.startsWith(prefix));
    const [create] = named('create ');
    const fires = named('fire ');
    const attempts = named('attempt ');
    expect(create).toBeDefined();
    expect(fires).toHaveLength(2);
    expect(attempts).toHaveLength(2);
    for (const span of [create!, ...fires, ...attempts]) expect(span.spanContext().traceId).toBe(ids.traceId);

    expect(create!.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(create!)).toBe(ids.spanId);
    expect(create!.attributes).toMatchObject({ 'messaging.system': 'chime', 'messaging.operation.type': 'create', 'messaging.destination.name': '$callbacks' });
    for (const [index, fire] of fires.entries()) {
      expect(fire.kind).toBe(SpanKind.CONSUMER);
      expect(parentOf(fire)).toBe(create!.spanContext().spanId);
      const attempt = attempts[index]!;
      expect(attempt.kind).toBe(SpanKind.CONSUMER);
      expect(parentOf(attempt)).toBe(fire.spanContext().spanId);
      expect(attempt.attributes).toMatchObject({ 'messaging.operation.type': 'process', 'chime.job.attempt': index + 1, 'chime.job.name': 'traced' });
    }
    expect(attempts[0]!.attributes['http.response.status_code']).toBe(503);
    expect(attempts[0]!.status.code).toBe(2);
    expect(attempts[1]!.attributes['chime.outcome']).toBe('succeeded');

    // Each callback carries the traceparent of its attempt span.
    expect(receiver.received).toHaveLength(2);
    const sent = receiver.received.map((r) => parseTraceparent(r.headers.traceparent));
    expect(sent.map((s) => s?.traceId)).toEqual([ids.traceId, ids.traceId]);
    expect(sent.map((s) => s?.spanId)).toEqual(attempts.map((a) => a.spanContext().spanId));
  });

  it('starts a new trace for a create request without a traceparent, and stores its context', async () => {
    await setup();
    const created = await server!.app.inject({ method: 'POST', url: '/v1.0/jobs/untraced', payload: { dueTime: '1h' } });
    expect(created.statusCode).toBeLessThan(300);
    const job = (await server!.store.listJobs({ name: 'untraced', limit: 1, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).items[0]!;
    const [create] = exporter.getFinishedSpans().filter((s) => s.name.startsWith('create '));
    expect(parentOf(create!)).toBeUndefined();
    expect(parseTraceparent(job.traceparent)).toEqual({ traceId: create!.spanContext().traceId, spanId: create!.spanContext().spanId, flags: 1 });
  });

  it('with no tracer registered, stores the request traceparent and sends it on unchanged', async () => {
    clock = new VirtualClock(T0);
    receiver = new Receiver();
    server = await startTestServer({ clock, appUrl: await receiver.start() });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await server.app.inject({ method: 'POST', url: '/v1.0/jobs/passthrough', headers: { traceparent }, payload: { dueTime: '1s' } });
    await server.app.inject({ method: 'POST', url: '/v1.0/jobs/bad-header', headers: { traceparent: 'not-a-trace' }, payload: { dueTime: '1s' } });
    await run(3, 500);
    const byName = new Map(receiver.received.map((r) => [(r.body as { job_name: string }).job_name, r.headers.traceparent]));
    expect(byName.get('passthrough')).toBe(traceparent);
    expect(byName.has('bad-header')).toBe(true);
    expect(byName.get('bad-header')).toBeUndefined();
  });
});
