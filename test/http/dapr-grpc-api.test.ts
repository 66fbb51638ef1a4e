/**
 * The gRPC jobs API (dapr.proto.runtime.v1.Dapr) with a client generated at run time from
 * the project's protos, and its agreement with the HTTP API on every store backend.
 */
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { DaprGrpcClient, decodeStatus, packString, packValue, rawUnary, unpackValue, type WireAny } from '../support/dapr-grpc.js';
import { T0 } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';

let server: ChimeServer;
let client: DaprGrpcClient;
let address: string;

beforeAll(async () => {
  server = await startTestServer({ clock: new VirtualClock(T0), grpcPort: 0 });
  address = `127.0.0.1:${server.grpcPort}`;
  client = new DaprGrpcClient(address);
});

afterAll(async () => {
  client.close();
  await server.close();
});

const http = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => server.app.inject({ method, url, payload });

describe('gRPC jobs calls', () => {
  it('schedules, gets, lists and deletes under the alpha and the stable names', async () => {
    const job = {
      name: 'grpc-one',
      schedule: '@every 1m',
      repeats: 5,
      due_time: '30s',
      ttl: '1h',
      data: packValue({ value: 'Running spice', n: 2 }),
      failure_policy: { constant: { interval: { seconds: 5 }, max_retries: 3 } },
    };
    expect(await client.call('ScheduleJobAlpha1', { job })).toEqual({});
    const got = (await client.call('GetJobAlpha1', { name: 'grpc-one' })).job;
    expect(got).toMatchObject({ name: 'grpc-one', schedule: '@every 1m', repeats: 5, due_time: '30s', ttl: '1h' });
    expect(got.failure_policy.constant).toMatchObject({ interval: { seconds: 5 }, max_retries: 3 });
    expect(unpackValue(got.data)).toEqual({ value: 'Running spice', n: 2 });
    expect((await client.call('GetJob', { name: 'grpc-one' })).job.name).toBe('grpc-one');

    await client.call('ScheduleJob', { job: { name: 'grpc-two', due_time: '2030-02-01T00:00:00Z', failure_policy: { drop: {} } } });
    const listed = (await client.call('ListJobsAlpha1')).jobs.map((j: { name: string }) => j.name);
    expect(listed).toEqual(expect.arrayContaining(['grpc-one', 'grpc-two']));
    expect((await client.call('ListJobs')).jobs.find((j: { name: string }) => j.name === 'grpc-two').failure_policy).toEqual({ drop: {}, policy: 'drop' });

    expect(await client.call('DeleteJobAlpha1', { name: 'grpc-one' })).toEqual({});
    // Like Dapr (an etcd delete of no key): deleting an unknown job succeeds.
    expect(await client.call('DeleteJob', { name: 'grpc-one' })).toEqual({});
    const missing = await client.failure('GetJobAlpha1', { name: 'grpc-one' });
    expect(missing.code).toBe(status.NOT_FOUND);
    expect(missing.details).toBe('failed to get job due to: rpc error: code = NotFound desc = job not found: grpc-one');
    expect(decodeStatus(missing)).toMatchObject({
      code: status.NOT_FOUND,
      errorInfo: { reason: 'DAPR_SCHEDULER_GET_JOB', domain: 'dapr.io', metadata: { appID: 'chime', namespace: 'default' } },
      detailCount: 1,
    });
    await client.call('DeleteJob', { name: 'grpc-two' });
  });

  it('deletes by prefix, and everything with no prefix', async () => {
    const changes: string[] = [];
    const unsubscribe = server.events.subscribe((event) => {
      if (event.type === 'schedule.changed') changes.push(`${event.change} ${event.name}`);
    });
    for (const name of ['pfx-a', 'pfx-b', 'pfx-c', 'other-a']) await client.call('ScheduleJob', { job: { name, due_time: '1h' } });
    await client.call('DeleteJobsByPrefixAlpha1', { name_prefix: 'pfx-' });
    unsubscribe();
    // Each deletion reaches the lifecycle stream, as a single delete does.
    expect(changes.filter((c) => c.startsWith('deleted')).sort()).toEqual(['deleted pfx-a', 'deleted pfx-b', 'deleted pfx-c']);
    const names = (await client.call('ListJobs')).jobs.map((j: { name: string }) => j.name);
    expect(names).toContain('other-a');
    expect(names.filter((n: string) => n.startsWith('pfx-'))).toEqual([]);
    await client.call('DeleteJobsByPrefix', {});
    expect((await client.call('ListJobsAlpha1')).jobs ?? []).toEqual([]);
  });

  it('refuses a duplicate with ALREADY_EXISTS and replaces it with overwrite', async () => {
    await client.call('ScheduleJob', { job: { name: 'dup', due_time: '1h', data: packValue(1) } });
    const dup = await client.failure('ScheduleJobAlpha1', { job: { name: 'dup', due_time: '2h', data: packValue(2) } });
    expect(dup.code).toBe(status.ALREADY_EXISTS);
    expect(dup.details).toBe("failed to schedule job due to: rpc error: code = AlreadyExists desc = job already exists: 'app||default||chime||dup'");
    expect(decodeStatus(dup).errorInfo?.reason).toBe('DAPR_SCHEDULER_SCHEDULE_JOB');
    await client.call('ScheduleJob', { job: { name: 'dup', due_time: '2h', data: packValue(2) }, overwrite: true });
    const got = (await client.call('GetJob', { name: 'dup' })).job;
    expect([got.due_time, unpackValue(got.data)]).toEqual(['2h', 2]);
    expect((await http('GET', '/v1.0/jobs/dup')).json().next_run_at).toBe(new Date(T0 + 7_200_000).toISOString());
    await client.call('DeleteJob', { name: 'dup' });
  });

  it("answers Dapr's own errors for an empty job, name or schedule", async () => {
    const cases: [string, object, string, string][] = [
      ['ScheduleJob', {}, 'Job is empty', 'DAPR_SCHEDULER_EMPTY'],
      ['ScheduleJobAlpha1', { job: { name: '' } }, 'Name is empty', 'DAPR_SCHEDULER_JOB_NAME_EMPTY'],
      ['ScheduleJob', { job: { name: 'x' } }, 'Schedule is empty', 'DAPR_SCHEDULER_SCHEDULE_EMPTY'],
      ['GetJob', { name: '' }, 'Name is empty', 'DAPR_SCHEDULER_JOB_NAME_EMPTY'],
      ['DeleteJobAlpha1', {}, 'Name is empty', 'DAPR_SCHEDULER_JOB_NAME_EMPTY'],
    ];
    for (const [method, request, message, reason] of cases) {
      const error = await client.failure(method, request);
      expect([method, error.code, error.details]).toEqual([method, status.INVALID_ARGUMENT, message]);
      // Exactly Dapr's details: one ErrorInfo.
      expect(decodeStatus(error)).toMatchObject({ code: status.INVALID_ARGUMENT, message, detailCount: 1, errorInfo: { reason, domain: 'dapr.io' } });
    }
  });

  it('answers INVALID_ARGUMENT naming the field for bad input, and writes nothing', async () => {
    const cases: [object, string, RegExp][] = [
      [{ name: 'bad-cron', schedule: '61 * * * * *' }, 'schedule', /second|minute/i],
      [{ name: 'bad-due', due_time: '10 seconds' }, 'dueTime', /dueTime: /],
      [{ name: 'bad-ttl', due_time: '2030-01-02T00:00:00Z', ttl: '2030-01-01T12:00:00Z' }, 'ttl', /ttl: /],
      [{ name: 'bad/name', due_time: '1s' }, 'name', /must not contain "\/"/],
      [{ name: 'bad-repeats', due_time: '1s', repeats: 3 }, 'repeats', /repeats: .*schedule/],
    ];
    for (const [job, field, description] of cases) {
      const error = await client.failure('ScheduleJob', { job });
      expect(error.code, JSON.stringify(job)).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^failed to schedule job due to: /);
      const decoded = decodeStatus(error);
      expect(decoded.errorInfo?.reason).toBe('DAPR_SCHEDULER_SCHEDULE_JOB');
      expect(decoded.badRequest?.field_violations[0]?.field).toBe(field);
      expect(decoded.badRequest?.field_violations[0]?.description).toMatch(description);
    }
    expect((await client.call('ListJobs')).jobs ?? []).toEqual([]);
  });

  it('refuses job data nested past the depth limit, or holding U+0000, as the HTTP body check does, and writes nothing', async () => {
    let nested: unknown = 'leaf';
    for (let i = 0; i < 40; i++) nested = [nested];
    const cases: [WireAny, RegExp][] = [
      // 5,000 levels: deeper than the protobuf decoder's stack, refused all the same.
      [{ type_url: 'type.googleapis.com/google.protobuf.Value', value: nestedListValue(5000) }, /nested more than 32 levels deep/],
      [packValue(nested), /nested more than 32 levels deep/],
      [packValue({ note: 'a\u0000b' }), /U\+0000/],
    ];
    for (const [data, description] of cases) {
      const error = await client.failure('ScheduleJob', { job: { name: 'grpc-data-limits', due_time: '1s', data } });
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      const decoded = decodeStatus(error);
      expect(decoded.badRequest?.field_violations[0]?.field).toBe('data');
      expect(decoded.badRequest?.field_violations[0]?.description).toMatch(description);
    }
    expect((await client.failure('GetJob', { name: 'grpc-data-limits' })).code).toBe(status.NOT_FOUND);
  });

  it('keeps data of any type: a Value as JSON, anything else as the same Any', async () => {
    const text = packString('plain text');
    await client.call('ScheduleJob', { job: { name: 'typed', due_time: '1h', data: text } });
    const back = (await client.call('GetJob', { name: 'typed' })).job.data;
    expect(back.type_url).toBe(text.type_url);
    expect(Buffer.from(back.value).equals(text.value)).toBe(true);
    await client.call('ScheduleJob', { job: { name: 'bare-string', due_time: '1h', data: packValue('hello') } });
    expect((await http('GET', '/v1.0/jobs/bare-string')).json().data).toBe('hello');
    await client.call('DeleteJobsByPrefix', {});
  });

  it('answers GetMetadata as the HTTP metadata does, and UNIMPLEMENTED for methods it does not serve', async () => {
    const metadata = await client.call('GetMetadata');
    expect(metadata).toMatchObject({ id: 'chime', runtime_version: expect.stringMatching(/^chime-/), enabled_features: ['Scheduler'] });
    const error = await rawUnary(address, '/dapr.proto.runtime.v1.Dapr/GetState');
    expect(error?.code).toBe(status.UNIMPLEMENTED);
    expect(error?.details).toMatch(/GetState/);
  });
});

describe('one store, two APIs', () => {
  it('shows a job created over gRPC to HTTP, which can delete it', async () => {
    await client.call('ScheduleJob', { job: { name: 'cross-grpc', schedule: '0 0 9 * * *', data: packValue({ task_id: 7 }) } });
    const viaRuntime = (await http('GET', '/v1.0-alpha1/jobs/cross-grpc')).json();
    expect(viaRuntime).toMatchObject({ name: 'cross-grpc', schedule: '0 0 9 * * *', data: { value: { task_id: 7 } } });
    expect((await http('GET', '/v1.0/jobs?prefix=cross-')).json().jobs.map((j: { name: string }) => j.name)).toEqual(['cross-grpc']);
    expect((await http('DELETE', '/v1.0-alpha1/jobs/cross-grpc')).statusCode).toBe(204);
    expect((await client.failure('GetJob', { name: 'cross-grpc' })).code).toBe(status.NOT_FOUND);
  });

  it('shows a job created over HTTP to gRPC, which can delete it', async () => {
    const created = await http('POST', '/v1.0-alpha1/jobs/cross-http', { dueTime: '10s', data: { a: [1, 'b', null, true] }, failurePolicy: { constant: { interval: '1.5s', maxRetries: 2 } } });
    expect(created.statusCode).toBe(204);
    const job = (await client.call('GetJobAlpha1', { name: 'cross-http' })).job;
    expect(job).toMatchObject({ name: 'cross-http', due_time: '10s', failure_policy: { constant: { interval: { seconds: 1, nanos: 500_000_000 }, max_retries: 2 } } });
    expect(unpackValue(job.data)).toEqual({ a: [1, 'b', null, true] });
    expect((await client.call('ListJobs')).jobs.map((j: { name: string }) => j.name)).toContain('cross-http');
    await client.call('DeleteJobAlpha1', { name: 'cross-http' });
    expect((await http('GET', '/v1.0/jobs/cross-http')).statusCode).toBe(404);
  });
});

/**
 * A google.protobuf.Value of `depth` nested one-element lists, encoded by hand (a protobuf
 * encoder would overflow its own stack first): Value.list_value = 6, ListValue.values = 1.
 */
function nestedListValue(depth: number): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return out;
  };
  let value = Buffer.from([0x08, 0x00]); // Value.null_value = NULL_VALUE
  for (let i = 0; i < depth; i++) {
    const list = Buffer.concat([Buffer.from([0x0a, ...varint(value.length)]), value]);
    value = Buffer.concat([Buffer.from([0x32, ...varint(list.length)]), list]);
  }
  return value;
}
