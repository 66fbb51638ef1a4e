/** Schedules, queues and tasks of the job platform, on a virtual clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { defineTask } from '../../src/core/tasks.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { waitFor } from '../support/receiver.js';
import { startTestServer, testToken } from '../support/server.js';

let server: ChimeServer;
let clock: VirtualClock;
let auth: Record<string, string>;
const ran: { task: string; args: unknown[]; at: number }[] = [];

beforeAll(async () => {
  clock = new VirtualClock(T0);
  const record = (task: string) => ({ args }: { args: unknown[] }) => {
    ran.push({ task, args, at: clock.now() });
    return null;
  };
  server = await startTestServer({
    clock,
    taskDefinitions: [
      defineTask({ name: 'generate_report', queue: 'reports', description: 'Generate a report', timeout: 600, max_retries: 2, retry_delay: 120, handler: record('generate_report') }),
      defineTask({ name: 'check_status', queue: 'default', handler: record('check_status') }),
      defineTask({ name: 'check_status', version: '2.0', queue: 'default', handler: record('check_status@2') }),
    ],
  });
  auth = { authorization: `Bearer ${await testToken('admin')}` };
});

afterAll(async () => {
  await server.close();
});

const api = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
  const response = await server.app.inject({ method, url: `/api/v1${url}`, payload, headers: auth });
  return { status: response.statusCode, body: response.body ? (response.json() as any) : undefined, headers: response.headers };
};
/** Advances in steps, letting each step's jobs run and their outcomes land. */
async function advance(ms: number, step = ms): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    await clock.advance(Math.min(step, ms - done));
    await waitFor(() => server.engine.activeJobs === 0);
    await server.engine.flush();
  }
}

describe('schedules', () => {
  it('creates a cron schedule that makes one job per occurrence, and lists and gets it', async () => {
    const created = await api('POST', '/schedules', {
      name: 'Hourly Report',
      task_name: 'generate_report',
      cron_expression: '0 * * * *',
      args: ['hourly'],
      kwargs: { format: 'pdf' },
      queue_name: 'reports',
      tags: ['report', 'hourly'],
      metadata: { department: 'accounting' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: 'Hourly Report',
      status: 'active',
      cron_expression: '0 * * * *',
      interval: null,
      max_retries: 2,
      retry_delay: 120,
      timeout: 600,
      last_run_at: null,
      next_run_at: new Date(T0 + 3_600_000).toISOString(),
    });
    const id = created.body.id;
    await advance(2 * 3_600_000, 600_000);
    const jobs = (await api('GET', '/jobs?queue_name=reports&order_dir=asc')).body.items.filter((j: { schedule_id: string }) => j.schedule_id === id);
    expect(jobs.map((j: { scheduled_at: string; status: string }) => [j.scheduled_at, j.status])).toEqual([
      [new Date(T0 + 3_600_000).toISOString(), 'completed'],
      [new Date(T0 + 2 * 3_600_000).toISOString(), 'completed'],
      [new Date(T0 + 3 * 3_600_000).toISOString(), 'pending'],
    ]);
    const got = (await api('GET', `/schedules/${id}`)).body;
    expect(got).toMatchObject({ last_run_at: new Date(T0 + 2 * 3_600_000).toISOString(), next_run_at: new Date(T0 + 3 * 3_600_000).toISOString() });
    const listed = (await api('GET', '/schedules?tags=hourly')).body;
    expect(listed).toMatchObject({ total: 1, page: 1, pages: 1 });
    expect((await api('GET', '/schedules?status=paused')).body.total).toBe(0);
  });

  it('runs an interval schedule, pauses it (occurrences skipped), resumes it on its grid, updates and deletes it', async () => {
    const start = clock.now();
    const created = await api('POST', '/schedules', { name: 'Hourly Check', task_name: 'check_status', interval: { hours: 1, minutes: 0, seconds: 0, days: 0 }, priority: 'low' });
    const id = created.body.id;
    expect(created.body.next_run_at).toBe(new Date(start + 3_600_000).toISOString());
    const before = ran.filter((r) => r.task.startsWith('check_status')).length;
    await advance(2 * 3_600_000, 600_000);
    expect(ran.filter((r) => r.task.startsWith('check_status')).length - before).toBe(2);

    const paused = await api('POST', `/schedules/${id}/pause`);
    expect(paused.body).toMatchObject({ status: 'paused', next_run_at: null });
    await advance(3 * 3_600_000, 600_000);
    expect(ran.filter((r) => r.task.startsWith('check_status')).length - before).toBe(2);
    const resumed = await api('POST', `/schedules/${id}/resume`);
    expect(resumed.body).toMatchObject({ status: 'active', next_run_at: new Date(start + 6 * 3_600_000).toISOString() });

    const updated = await api('PUT', `/schedules/${id}`, { cron_expression: '30 * * * *', args: ['x'], version: '2.0' });
    expect(updated.body).toMatchObject({ cron_expression: '30 * * * *', interval: null, version: '2.0', priority: 'low' });
    expect(Date.parse(updated.body.next_run_at) % 3_600_000).toBe(30 * 60_000);
    await advance(3_600_000, 600_000);
    expect(ran.filter((r) => r.task.startsWith('check_status')).at(-1)).toMatchObject({ task: 'check_status@2', args: ['x'] });

    expect((await api('DELETE', `/schedules/${id}`)).status).toBe(204);
    expect((await api('GET', `/schedules/${id}`)).status).toBe(404);
    expect((await api('DELETE', `/schedules/${id}`)).status).toBe(404);
  });

  it('does not run an occurrence claimed ahead of its time when its schedule is deleted first', async () => {
    const created = await api('POST', '/schedules', { name: 'Deleted while held', task_name: 'check_status', interval: { minutes: 1 }, args: ['held'] });
    const due = Date.parse(created.body.next_run_at);
    await clock.advanceTo(due - 5);
    await server.engine.whenSettled();
    const held = await server.store.listJobs({ scheduleId: created.body.id, limit: 5, offset: 0, orderBy: 'run_at', orderDir: 'asc' });
    // Claiming an occurrence also plans the next one.
    expect(held.items.map((job) => job.status)).toEqual(['reserved', 'pending']);
    expect((await api('DELETE', `/schedules/${created.body.id}`)).status).toBe(204);
    await advance(60_000, 10_000);
    expect(ran.filter((r) => (r.args as unknown[])[0] === 'held')).toEqual([]);
    expect((await server.store.getJob(held.items[0]!.id))?.status).toBe('cancelled');
  });

  it('refuses a second schedule of one name with a 409, or updates it in place with upsert=true', async () => {
    const body = { name: 'Boot-time schedule', task_name: 'check_status', cron_expression: '0 3 * * *', tags: ['boot'] };
    const first = await api('POST', '/schedules', body);
    expect(first.status).toBe(200);
    const again = await api('POST', '/schedules', body);
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/Schedule already exists: Boot-time schedule/);
    // The "create my schedules on every boot" pattern: the same call, with upsert, changes the one schedule.
    const upserted = await api('POST', '/schedules?upsert=true', { ...body, cron_expression: '0 4 * * *' });
    expect(upserted.status).toBe(200);
    expect(upserted.body).toMatchObject({ id: first.body.id, cron_expression: '0 4 * * *' });
    const fresh = await api('POST', '/schedules?upsert=true', { ...body, name: 'Boot-time schedule 2' });
    expect(fresh.status).toBe(200);
    expect(fresh.body.id).not.toBe(first.body.id);
    const listed = await api('GET', '/schedules?tags=boot');
    expect(listed.body.items.map((s: { name: string }) => s.name).sort()).toEqual(['Boot-time schedule', 'Boot-time schedule 2']);
    expect((await api('POST', '/schedules?upsert=maybe', body)).status).toBe(400);
    // Concurrent creates of one new name on a node: one wins, the others are 409s.
    const racing = await Promise.all(Array.from({ length: 5 }, () => api('POST', '/schedules', { ...body, name: 'Raced', tags: ['race'] })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const raced = await api('GET', '/schedules?tags=race');
    expect(raced.body.items).toHaveLength(1);
    expect((await api('DELETE', `/schedules/${raced.body.items[0].id}`)).status).toBe(204);
    for (const s of listed.body.items) expect((await api('DELETE', `/schedules/${s.id}`)).status).toBe(204);
  });

  it('refuses schedules without exactly one of cron_expression and interval, and other bad input', async () => {
    const base = { name: 'x', task_name: 'check_status' };
    for (const [body, message] of [
      [base, /exactly one of cron_expression and interval/],
      [{ ...base, cron_expression: '0 * * * *', interval: { minutes: 5 } }, /exactly one/],
      [{ ...base, cron_expression: '0 25 * * *' }, /cron_expression: .*hour/],
      [{ ...base, interval: {} }, /interval/],
      [{ ...base, interval: { minutes: -5 } }, /interval.minutes: must be >= 0/],
      [{ ...base, cron_expression: '0 9 * * *', timezone: 'Mars/Base' }, /timezone: /],
      [{ ...base, task_name: 'nope', cron_expression: '0 9 * * *' }, /Task not found: nope/],
      [{ task_name: 'check_status', cron_expression: '0 9 * * *' }, /name: is required/],
    ] as const) {
      const response = await api('POST', '/schedules', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.detail).toMatch(message);
    }
    expect((await api('PUT', '/schedules/missing', { name: 'y' })).status).toBe(404);
    expect((await api('POST', '/schedules/missing/pause')).status).toBe(404);
  });

  it('honours the timezone of a cron schedule', async () => {
    const created = await api('POST', '/schedules', { name: 'NY morning', task_name: 'check_status', cron_expression: '0 9 * * *', timezone: 'America/New_York' });
    expect(created.body.timezone).toBe('America/New_York');
    const next = new Date(created.body.next_run_at);
    const hourInNy = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(next));
    expect(hourInNy).toBe(9);
    await api('DELETE', `/schedules/${created.body.id}`);
  });
});

describe('queues and tasks', () => {
  it('pauses a queue (jobs wait, nothing lost), resumes it, clears it, and limits it', async () => {
    const sizeBefore = (await api('GET', '/queues')).body.items.find((q: { name: string }) => q.name === 'reports').size;
    expect((await api('POST', '/queues/reports/pause')).status).toBe(204);
    const queued = await api('POST', '/jobs', { task_name: 'generate_report', args: ['while-paused'] });
    await advance(5_000, 1_000);
    expect((await api('GET', `/jobs/${queued.body.id}`)).body.status).toBe('pending');
    const list = (await api('GET', '/queues')).body;
    expect(list.items.find((q: { name: string }) => q.name === 'reports')).toMatchObject({ is_paused: true, size: sizeBefore + 1 });
    expect((await api('POST', '/queues/reports/resume')).status).toBe(204);
    await waitFor(async () => (await api('GET', `/jobs/${queued.body.id}`)).body.status === 'completed');

    await api('POST', '/queues/reports/pause');
    for (let i = 0; i < 3; i++) await api('POST', '/jobs', { task_name: 'generate_report', args: [i] });
    const cleared = await api('POST', '/queues/reports/clear');
    expect(cleared.status).toBe(204);
    // The three jobs go; the daily schedule's next occurrence (sizeBefore) stays, so it keeps running.
    expect(cleared.headers['chime-cleared-count']).toBe('3');
    expect((await api('GET', '/queues')).body.items.find((q: { name: string }) => q.name === 'reports').size).toBe(sizeBefore);
    await api('POST', '/queues/reports/resume');

    expect((await api('PUT', '/queues/reports', { concurrency: 2 })).status).toBe(204);
    expect((await api('GET', '/queues')).body.items.find((q: { name: string }) => q.name === 'reports').concurrency).toBe(2);
    expect((await api('PUT', '/queues/reports', { concurrency: 0 })).status).toBe(400);
    expect((await api('PUT', '/queues/reports', { concurrency: null })).status).toBe(204);
    expect((await api('POST', '/queues/bad%20name/pause')).status).toBe(400);
  });

  it('lists registered tasks and gets one by name and version', async () => {
    const tasks = (await api('GET', '/tasks')).body;
    expect(tasks.total).toBe(3);
    expect(tasks.items).toContainEqual({
      name: 'generate_report',
      description: 'Generate a report',
      is_async: false,
      timeout: 600,
      max_retries: 2,
      retry_delay: 120,
      queue: 'reports',
      version: '1.0',
    });
    expect((await api('GET', '/tasks/check_status')).body.version).toBe('2.0');
    expect((await api('GET', '/tasks/check_status?version=1.0')).body.version).toBe('1.0');
    expect((await api('GET', '/tasks/check_status?version=3.0')).status).toBe(404);
    expect((await api('GET', '/tasks/nope')).status).toBe(404);
    const workers = (await api('GET', '/workers')).body;
    expect(workers.items[0]).toMatchObject({ status: 'active', tasks: ['generate_report', 'check_status'] });
  });
});
