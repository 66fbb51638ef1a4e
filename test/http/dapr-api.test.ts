/** The Dapr-style Jobs API in both dialects, through Fastify's inject (no sockets). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';

let server: ChimeServer;
let counter = 0;
const uniqueName = (base = 'job') => `${base}-${++counter}`;

beforeAll(async () => {
  server = await startTestServer({ clock: new VirtualClock(T0), bodyLimit: 4096 });
});

afterAll(async () => {
  await server.close();
});

const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  server.app.inject({ method, url, payload: payload as string | object | undefined, headers });

async function jobCount(): Promise<number> {
  const page = await server.store.listSchedules({ dialects: ['envelope', 'dapr'], limit: 1, countTotal: true });
  return page.total ?? 0;
}

describe('seed 000 dialect (/v1.0/jobs)', () => {
  it('creates, gets, lists and deletes a job as seed 000 documents', async () => {
    const name = 'task-reminder-123-user-xyz';
    const body = {
      schedule: '',
      repeats: 1,
      dueTime: '2030-01-15T14:30:00Z',
      data: { task_id: 123, user_id: 'user-xyz', scheduled_at: '2030-01-14T10:00:00Z' },
    };
    const created = await inject('POST', `/v1.0/jobs/${name}`, body);
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({ status: 'scheduled', job_name: name });

    const got = await inject('GET', `/v1.0/jobs/${name}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      name,
      schedule: '',
      repeats: 1,
      dueTime: '2030-01-15T14:30:00Z',
      data: body.data,
      status: 'scheduled',
      next_run_at: '2030-01-15T14:30:00.000Z',
      last_run_at: null,
      fire_count: 0,
    });
    const listed = await inject('GET', '/v1.0/jobs');
    expect(listed.json().jobs.map((j: { name: string }) => j.name)).toContain(name);

    expect((await inject('POST', `/v1.0/jobs/${name}`, body)).statusCode).toBe(409);
    const deleted = await inject('DELETE', `/v1.0/jobs/${name}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ status: 'deleted' });
    expect((await inject('GET', `/v1.0/jobs/${name}`)).statusCode).toBe(404);
    expect((await inject('DELETE', `/v1.0/jobs/${name}`)).statusCode).toBe(404);
  });

  it('accepts a recurring job with repeats 0 meaning forever', async () => {
    const name = uniqueName('standup');
    const response = await inject('POST', `/v1.0/jobs/${name}`, {
      schedule: '0 9 * * MON-FRI',
      repeats: 0,
      dueTime: '2030-01-15T09:00:00Z',
      data: { reminder_type: 'daily_standup' },
    });
    expect(response.statusCode).toBe(200);
    const job = (await inject('GET', `/v1.0/jobs/${name}`)).json();
    expect(job).toMatchObject({ schedule: '0 9 * * MON-FRI', repeats: 0, next_run_at: '2030-01-15T09:00:00.000Z' });
    const schedule = await server.store.getScheduleByName(name);
    expect(schedule?.repeats).toBeNull();
  });

  it('overwrites with overwrite: true', async () => {
    const name = uniqueName();
    await inject('POST', `/v1.0/jobs/${name}`, { dueTime: '1h', data: 1 });
    const again = await inject('POST', `/v1.0/jobs/${name}`, { dueTime: '2h', data: 2, overwrite: true });
    expect(again.statusCode).toBe(200);
    expect((await inject('GET', `/v1.0/jobs/${name}`)).json()).toMatchObject({ data: 2, next_run_at: new Date(T0 + 7_200_000).toISOString() });
  });

  it('pages through a prefix with a cursor', async () => {
    for (const suffix of ['c', 'a', 'b', 'd']) await inject('POST', `/v1.0/jobs/page-${suffix}`, { dueTime: '1h' });
    const first = (await inject('GET', '/v1.0/jobs?prefix=page-&limit=3')).json();
    expect(first.jobs.map((j: { name: string }) => j.name)).toEqual(['page-a', 'page-b', 'page-c']);
    expect(first.next_cursor).toBe('page-c');
    const second = (await inject('GET', `/v1.0/jobs?prefix=page-&limit=3&cursor=${first.next_cursor}`)).json();
    expect(second.jobs.map((j: { name: string }) => j.name)).toEqual(['page-d']);
    expect(second.next_cursor).toBeNull();
    const filtered = (await inject('GET', '/v1.0/jobs?prefix=page-&status=completed')).json();
    expect(filtered.jobs).toEqual([]);
  });
});

describe('real Dapr dialect (/v1.0-alpha1/jobs)', () => {
  it('answers 204 on create and delete, wraps data on get, accepts snake_case', async () => {
    const name = uniqueName('jabba');
    const created = await inject('POST', `/v1.0-alpha1/jobs/${name}`, {
      data: { value: 'Running spice' },
      schedule: '@every 1m',
      repeats: 5,
      due_time: '30s',
      failure_policy: { constant: { interval: '5s', max_retries: 3 } },
    });
    expect(created.statusCode).toBe(204);
    expect(created.body).toBe('');
    const got = await inject('GET', `/v1.0-alpha1/jobs/${name}`);
    expect(got.json()).toEqual({
      name,
      schedule: '@every 1m',
      repeats: 5,
      dueTime: '30s',
      data: { '@type': 'type.googleapis.com/google.protobuf.Value', value: { value: 'Running spice' } },
      failurePolicy: { constant: { interval: '5s', maxRetries: 3 } },
    });
    expect((await inject('DELETE', `/v1.0-alpha1/jobs/${name}`)).statusCode).toBe(204);
    expect((await inject('DELETE', `/v1.0-alpha1/jobs/${name}`)).statusCode).toBe(204);
  });

  it('unwraps protobuf-wrapped data and refuses a duplicate unless overwrite', async () => {
    const name = uniqueName();
    await inject('POST', `/v1.0-alpha1/jobs/${name}`, { dueTime: '10s', data: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'hi' } });
    expect((await inject('GET', `/v1.0/jobs/${name}`)).json().data).toBe('hi');
    const dup = await inject('POST', `/v1.0-alpha1/jobs/${name}`, { dueTime: '10s' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ errorCode: 'DAPR_SCHEDULER_SCHEDULE_JOB', code: 'JOB_EXISTS' });
    expect((await inject('POST', `/v1.0-alpha1/jobs/${name}`, { dueTime: '20s', overwrite: true })).statusCode).toBe(204);
  });

  it('refuses a name in the body with DAPR_SCHEDULER_JOB_NAME', async () => {
    const response = await inject('POST', `/v1.0-alpha1/jobs/${uniqueName()}`, { name: 'x', dueTime: '1s' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errorCode: 'DAPR_SCHEDULER_JOB_NAME', message: expect.stringMatching(/url only/) });
  });

  it('answers 404 with a Dapr error body for an unknown job', async () => {
    const response = await inject('GET', '/v1.0-alpha1/jobs/nope');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ errorCode: 'DAPR_SCHEDULER_GET_JOB' });
  });
});

describe("the runtime dialect answers with the Dapr runtime's errors (v1.18.3)", () => {
  const errorInfo = (reason: string) => ({
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'dapr.io',
    metadata: { appID: 'chime', namespace: 'default' },
  });

  it.each([
    ['no schedule and no dueTime', 'x-empty', {}, 'DAPR_SCHEDULER_SCHEDULE_EMPTY', 'Schedule is empty'],
    ['an empty name', '%20', { schedule: '@daily' }, 'DAPR_SCHEDULER_JOB_NAME_EMPTY', 'Name is empty'],
    ['a name in the body', 'x-named', { name: 'test1', schedule: 'test', repeats: 1 }, 'DAPR_SCHEDULER_JOB_NAME', 'Set the job name in the url only'],
  ])('%s: exactly what Dapr answers', async (_label, name, body, errorCode, message) => {
    const response = await inject('POST', `/v1.0-alpha1/jobs/${name}`, body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errorCode, message, details: [errorInfo(errorCode)] });
  });

  it('an unknown job: Dapr\'s message and ErrorInfo (with 404 where Dapr answers 500)', async () => {
    const response = await inject('GET', '/v1.0-alpha1/jobs/notfound');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({
      errorCode: 'DAPR_SCHEDULER_GET_JOB',
      message: 'failed to get job due to: rpc error: code = NotFound desc = job not found: notfound',
      details: [errorInfo('DAPR_SCHEDULER_GET_JOB')],
    });
  });

  it("a duplicate: Dapr's AlreadyExists wording", async () => {
    await inject('POST', '/v1.0-alpha1/jobs/x-dup', { dueTime: '1h' });
    const response = await inject('POST', '/v1.0-alpha1/jobs/x-dup', { dueTime: '1h' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      errorCode: 'DAPR_SCHEDULER_SCHEDULE_JOB',
      message: "failed to schedule job due to: rpc error: code = AlreadyExists desc = job already exists: 'app||default||chime||x-dup'",
    });
  });

  it("bad JSON: Dapr's ERR_MALFORMED_REQUEST", async () => {
    const response = await inject('POST', '/v1.0-alpha1/jobs/x-malformed', '{"dueTime": ', { 'content-type': 'application/json' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errorCode: 'ERR_MALFORMED_REQUEST', message: expect.stringMatching(/^failed deserializing HTTP body: /) });
  });

  it("a bad schedule: Dapr's errorCode and message prefix, Chime's words naming the field (400 where Dapr answers 500)", async () => {
    const response = await inject('POST', '/v1.0-alpha1/jobs/x-cron', { schedule: 'not a cron' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      errorCode: 'DAPR_SCHEDULER_SCHEDULE_JOB',
      message: expect.stringMatching(/^failed to schedule job due to: schedule: /),
      details: [errorInfo('DAPR_SCHEDULER_SCHEDULE_JOB')],
      field: 'schedule',
    });
  });

  it('counts a ttl duration from the dueTime, as Dapr does (the seed dialect counts it from now)', async () => {
    const response = await inject('POST', '/v1.0-alpha1/jobs/x-ttl', { schedule: '@every 10m', dueTime: '1h', ttl: '30m' });
    expect(response.statusCode, response.body).toBe(204);
    const schedule = await server.store.getScheduleByName('x-ttl');
    expect([schedule?.startAt, schedule?.expiresAt]).toEqual([T0 + 3_600_000, T0 + 5_400_000]);
    expect((await inject('GET', '/v1.0-alpha1/jobs/x-ttl')).json()).toMatchObject({ dueTime: '1h', ttl: '30m' });
  });

  it('answers the health check the SDKs wait on', async () => {
    expect((await inject('GET', '/v1.0/healthz/outbound')).statusCode).toBe(204);
  });
});

describe('bad input: a 4xx naming the field, and nothing written', () => {
  let before: number;
  beforeEach(async () => {
    before = await jobCount();
  });

  const cases: [string, string, unknown, RegExp][] = [
    ['invalid cron', 'v1.0', { schedule: '61 * * * *' }, /schedule: .*minute/i],
    ['cron with 7 fields', 'v1.0', { schedule: '* * * * * * *' }, /schedule: .*7/],
    ['bad duration', 'v1.0', { dueTime: '10 seconds' }, /dueTime: /],
    ['unknown duration unit', 'v1.0-alpha1', { dueTime: '1d' }, /dueTime: /],
    ['negative repeats', 'v1.0', { schedule: '@every 1s', repeats: -1 }, /repeats: must be >= 0/],
    ['repeats as a string', 'v1.0', { schedule: '@every 1s', repeats: '3' }, /repeats: must be an integer/],
    ['fractional repeats', 'v1.0', { schedule: '@every 1s', repeats: 1.5 }, /repeats: must be an integer/],
    ['ttl before dueTime', 'v1.0', { dueTime: '1h', ttl: '30m' }, /ttl: must be after dueTime/],
    ['schedule as a number', 'v1.0-alpha1', { schedule: 5 }, /schedule: must be a string/],
    ['neither schedule nor dueTime', 'v1.0', { data: 1 }, /schedule: .*dueTime/],
    ['unknown field', 'v1.0', { dueTime: '1s', dueTme: '1s' }, /dueTme: unknown field/],
    ['both spellings', 'v1.0-alpha1', { dueTime: '1s', due_time: '2s' }, /dueTime: given twice/],
    ['bad failure policy', 'v1.0-alpha1', { dueTime: '1s', failurePolicy: { sometimes: {} } }, /failurePolicy/],
    ['negative maxRetries', 'v1.0-alpha1', { dueTime: '1s', failurePolicy: { constant: { maxRetries: -2 } } }, /maxRetries/],
    ['bad missed-fire policy', 'v1.0', { dueTime: '1s', missedFirePolicy: 'sometimes' }, /missedFirePolicy: must be one of/],
    ['repeats without a schedule', 'v1.0', { dueTime: '1s', repeats: 3 }, /repeats: .*schedule/],
    ['@every zero', 'v1.0', { schedule: '@every 0s' }, /schedule: /],
    ['bad timezone', 'v1.0', { schedule: 'CRON_TZ=Mars/Olympus 0 9 * * *' }, /schedule: .*Mars/],
    ['overwrite not boolean', 'v1.0-alpha1', { dueTime: '1s', overwrite: 'yes' }, /overwrite: must be a boolean/],
    ['body is an array', 'v1.0', [1, 2], /must be an object/],
  ];

  it.each(cases)('%s', async (_label, dialect, body, message) => {
    const response = await inject('POST', `/${dialect}/jobs/${uniqueName('bad')}`, body);
    expect(response.statusCode, response.body).toBe(400);
    const json = response.json();
    expect(json.message).toMatch(message);
    expect(json.errorCode).toBeTypeOf('string');
    expect(await jobCount()).toBe(before);
  });

  it('malformed JSON', async () => {
    const response = await inject('POST', '/v1.0/jobs/malformed', '{"dueTime": "1s",', { 'content-type': 'application/json' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'MALFORMED_JSON', message: expect.stringMatching(/^body: /) });
    expect(await jobCount()).toBe(before);
  });

  it('oversize body', async () => {
    const response = await inject('POST', '/v1.0/jobs/huge', { dueTime: '1s', data: 'x'.repeat(10_000) });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
    expect(await jobCount()).toBe(before);
  });

  it.each([
    ['a slash', 'a%2Fb', /must not contain "\/"/],
    ['a hash', 'a%23b', /must not contain "#"/],
    ['a question mark', 'a%3Fb', /must not contain "\?"/],
    ['a pipe', 'a%7Cb', /must not contain "\|"/],
    ['a newline', 'a%0Ab', /control character U\+000a/],
    ['a NUL', 'a%00b', /control character U\+0000/],
    ['only spaces', '%20%20', /must not be empty/],
  ])('a name with %s', async (_label, encoded, message) => {
    const response = await inject('POST', `/v1.0/jobs/${encoded}`, { dueTime: '1s' });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ field: 'name', message: expect.stringMatching(message) });
    expect(await jobCount()).toBe(before);
  });

  it('a raw "?" in the name (the rest arrives as a query)', async () => {
    const response = await inject('POST', '/v1.0/jobs/a?b=1', { dueTime: '1s' });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/b: unknown query parameter/);
    expect(await jobCount()).toBe(before);
  });

  it('a bad list query', async () => {
    expect((await inject('GET', '/v1.0/jobs?limit=0')).statusCode).toBe(400);
    expect((await inject('GET', '/v1.0/jobs?status=bogus')).json().message).toMatch(/status/);
  });
});

describe('metadata, health, OpenAPI', () => {
  it('answers the Dapr metadata and health endpoints', async () => {
    expect((await inject('GET', '/healthz')).statusCode).toBe(204);
    expect((await inject('GET', '/v1.0/healthz')).statusCode).toBe(204);
    const metadata = (await inject('GET', '/v1.0/metadata')).json();
    expect(metadata).toMatchObject({ id: 'chime', runtimeVersion: expect.stringMatching(/^chime-/), enabledFeatures: ['Scheduler'] });
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const doc = (await inject('GET', '/openapi.json')).json();
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1.0/jobs/{name}', '/v1.0-alpha1/jobs/{name}', '/v1.0/jobs']));
    const post = doc.paths['/v1.0/jobs/{name}'].post;
    expect(Object.keys(post.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['schedule', 'repeats', 'dueTime', 'ttl', 'data', 'failurePolicy']),
    );
  });

  it('answers unknown routes with a 404 in the family format', async () => {
    const response = await inject('GET', '/v1.0/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ errorCode: expect.any(String), code: 'NOT_FOUND' });
  });
});
