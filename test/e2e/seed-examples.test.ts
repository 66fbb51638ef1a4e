/**
 * The seeds' own examples, run as a user would: seed 003's TypeScript client against a live
 * server with a token; seed 002's JobManager and job routes with the callback reaching an app;
 * seed 004's time-travel test pattern with `chime/testing`.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { JobManager } from '../../src/client/job-manager.js';
import { JobsClient } from '../../src/client/jobs-client.js';
import { SchedulerClient } from '../../src/client/scheduler-client.js';
import { startTestChime, type TestChime } from '../../src/client/testing.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { startChime, stopChime, type ChimeProcess } from '../support/processes.js';
import { TEST_JWT_SECRET, testToken } from '../support/server.js';
import { tempDbPath } from '../support/temp.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;

describe('seed examples', () => {
  let chime: ChimeProcess | undefined;
  let testChime: TestChime | undefined;
  let receiver: Receiver | undefined;

  afterEach(async () => {
    if (chime) await stopChime(chime);
    chime = undefined;
    await testChime?.close();
    testChime = undefined;
    await receiver?.stop();
    receiver = undefined;
  });

  it("seed 003's TypeScript client example does what its comments say", async () => {
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`, '--tasks', fixture('seed-tasks.mjs')], { CHIME_JWT_SECRET: TEST_JWT_SECRET });
    const token = await testToken('write');
    const child = spawn(process.execPath, [fixture('seed003-client-example.mjs')], { env: { ...process.env, CHIME_URL: chime.url, CHIME_TOKEN: token } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    expect(await new Promise((resolve) => child.on('exit', resolve)), out).toBe(0);
    const jobId = /Created job: (\S+)/.exec(out)?.[1];
    const scheduleId = /Created schedule: (\S+)/.exec(out)?.[1];
    expect(jobId, out).toBeDefined();
    expect(scheduleId, out).toBeDefined();

    const client = new JobsClient(chime.url, token);
    await waitFor(async () => (await client.getJob(jobId!)).status === 'completed', 10_000, 'the job to complete');
    expect(await client.getJob(jobId!)).toMatchObject({ task_name: 'process_data', priority: 'high', tags: ['data'], result: { processed: 42, format: 'json' } });
    const schedule = await client.getSchedule(scheduleId!);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(schedule).toMatchObject({ name: 'Daily Report', cron_expression: '0 0 * * *', queue_name: 'reports', next_run_at: midnight.toISOString() });
    expect((await client.listQueues()).items.map((q) => q.name)).toEqual(['default', 'reports']);
    expect((await client.listTasks()).items.map((t) => t.name).sort()).toEqual(['generate_report', 'process_data']);
    // Errors carry detail and status.
    const error = await client.createJob({ task_name: 'nope' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, detail: 'Task not found: nope', message: 'Task not found: nope' });
  });

  it("seed 002's JobManager and job routes schedule, reschedule and cancel reminders that reach the app", async () => {
    receiver = new Receiver();
    const appUrl = await receiver.start();
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`, '--app-url', appUrl]);
    const manager = new JobManager({ baseUrl: chime.url });
    const soon = new Date(Date.now() + 1500);
    expect(await manager.scheduleTaskReminder(123, 'user-xyz', soon)).toEqual({ job_name: 'task-reminder-123-user-xyz', scheduled_for: soon.toISOString() });
    const duplicate = await manager.scheduleTaskReminder(123, 'user-xyz', soon).catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ status: 409 });
    await manager.scheduleTaskReminder(456, 'user-abc', new Date(Date.now() + 60_000));
    expect(await manager.cancelTaskReminder(456, 'user-abc')).toBe(true);
    expect(await manager.cancelTaskReminder(456, 'user-abc')).toBe(false);

    // The job routes, as the seed's FastAPI app exposes them.
    const post = (path: string, body: object) =>
      fetch(`${chime!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect(await (await post('/api/jobs/schedule', { task_id: 789, user_id: 'u1', due_date: later })).json()).toMatchObject({ status: 'scheduled', job_name: 'task-reminder-789-u1' });
    const moved = new Date(Date.now() + 1500).toISOString();
    expect(await (await post('/api/jobs/reschedule', { task_id: 789, user_id: 'u1', new_due_date: moved })).json()).toMatchObject({ status: 'rescheduled', scheduled_for: moved });
    const reminder = await (await fetch(`${chime.url}/api/jobs/tasks/789/reminder?user_id=u1`)).json();
    expect(reminder).toMatchObject({ name: 'task-reminder-789-u1', data: { task_id: 789, user_id: 'u1' }, status: 'scheduled' });
    expect((await post('/api/jobs/schedule', { task_id: 1, user_id: 'u', due_date: 'next tuesday' })).status).toBe(400);

    await waitFor(() => receiver!.received.length === 2, 10_000, 'both reminders to fire');
    const names = receiver.received.map((r) => (r.body as { job_name: string }).job_name).sort();
    expect(names).toEqual(['task-reminder-123-user-xyz', 'task-reminder-789-u1']);
    expect(receiver.received.find((r) => (r.body as { job_name: string }).job_name === 'task-reminder-123-user-xyz')!.body).toMatchObject({
      data: { task_id: 123, user_id: 'user-xyz' },
      scheduled_time: soon.toISOString(),
    });
    const deleted = await fetch(`${chime.url}/api/jobs/tasks/789/reminder?user_id=u1`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
  });

  it("seed 004's time-travel testing pattern, with chime/testing", async () => {
    receiver = new Receiver();
    const appUrl = await receiver.start();
    const clock = (await import('../../src/client/testing.js')).VirtualClock;
    testChime = await startTestChime({ appUrl, clock: new clock(Date.parse('2025-01-15T14:00:00Z')) });
    const manager = new JobManager(new SchedulerClient({ baseUrl: testChime.url }));
    const job = await manager.scheduleTaskReminder(123, 'user-xyz', new Date('2025-01-15T14:30:00Z'));
    expect(job.scheduled_for).toBe('2025-01-15T14:30:00.000Z');
    await testChime.clock.advance(29 * 60_000);
    expect(receiver.received).toHaveLength(0);
    await testChime.clock.advance(60_000);
    await waitFor(() => receiver!.received.length === 1, 5000, 'the reminder');
    expect(receiver.received[0]!.body).toMatchObject({ job_name: job.job_name, data: { task_id: 123, user_id: 'user-xyz' }, actual_time: '2025-01-15T14:30:00.000Z' });
    expect(await testChime.token()).toMatch(/^ey/);
  });
});
