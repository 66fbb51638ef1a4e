/** The job platform from the CLI: token, jobs, import, schedules, queues, tasks, workers. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChime, startChime, stopChime, type ChimeProcess } from '../support/processes.js';
import { tempDir } from '../support/temp.js';

const TASKS = new URL('../fixtures/seed-tasks.mjs', import.meta.url).pathname;
let chime: ChimeProcess;
let dir: string;
let cli: (...args: string[]) => ReturnType<typeof runChime>;

beforeAll(async () => {
  dir = tempDir();
  // No secret configured: the server generates one in its data dir, and the CLI finds it there.
  chime = await startChime(['--store', `sqlite:${join(dir, 'chime.db')}`, '--tasks', TASKS]);
  cli = (...args) => runChime([...args, '--server', chime.url, '--data-dir', dir]);
});

afterAll(async () => {
  await stopChime(chime);
});

// Each case runs the CLI a dozen times, a process start each: seconds apiece on a loaded machine.
describe('chime CLI for the job platform', { timeout: 120_000 }, () => {
  it('prints tokens that the API accepts, with the scope asked for', async () => {
    const token = await runChime(['token', '--scope', 'read', '--data-dir', dir]);
    expect(token.code).toBe(0);
    const jwt = token.stdout.trim();
    const ok = await fetch(`${chime.url}/api/v1/tasks`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(ok.status).toBe(200);
    const denied = await fetch(`${chime.url}/api/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }, body: '{"task_name":"process_data"}' });
    expect(denied.status).toBe(403);
    expect((await runChime(['token', '--scope', 'root', '--data-dir', dir])).stderr).toMatch(/scope: "root"/);
  });

  it('creates, lists, shows, runs, cancels and retries jobs', async () => {
    const created = await cli('jobs', 'create', 'process_data', '--args', '[42,"test"]', '--kwargs', '{"format":"json"}', '--priority', 'high', '--json');
    expect(created.code, created.stderr).toBe(0);
    const job = JSON.parse(created.stdout);
    expect(job).toMatchObject({ task_name: 'process_data', priority: 'high' });

    const later = await cli('jobs', 'create', 'generate_report', '--at', '2099-01-01T00:00:00Z', '--json');
    const laterId = JSON.parse(later.stdout).id;
    const list = await cli('jobs', 'list', '--platform', '--status', 'pending');
    expect(list.stdout).toMatch(/^ID\s+TASK\s+QUEUE\s+PRIORITY\s+STATUS/);
    expect(list.stdout).toContain(laterId);
    expect(list.stdout).toMatch(/page 1 of 1 \(1 job\(s\)\)/);

    const shown = await cli('jobs', 'get', job.id);
    expect(shown.stdout).toMatch(/process_data/);
    expect(shown.stdout).toMatch(/result: \{"processed":42,"format":"json"\}/);

    const cancelled = await cli('jobs', 'cancel', laterId, '--reason', 'not needed', '--json');
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ status: 'cancelled' });
    const retried = await cli('jobs', 'retry', laterId, '--json');
    expect(JSON.parse(retried.stdout)).toMatchObject({ status: 'pending' });

    const run = await cli('jobs', 'run', 'generate_report', '--args', '["weekly"]');
    expect(run.stdout.trim()).toBe('{"report":"weekly","format":"pdf"}');
    const stats = await cli('jobs', 'stats');
    expect(stats.stdout).toMatch(/^total 3  pending 0  running 0  completed 3/);
    const missing = await cli('jobs', 'create', 'nope');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/Task not found: nope \(HTTP 400\)/);
  });

  it('imports jobs from NDJSON and from a JSON array, in bulk, with progress', async () => {
    const ndjson = join(dir, 'jobs.ndjson');
    writeFileSync(ndjson, Array.from({ length: 2500 }, (_, i) => JSON.stringify({ task_name: 'process_data', args: [i] })).join('\n'));
    const imported = await cli('jobs', 'import', ndjson, '--batch', '1000');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toBe('created 2500 job(s)\n');
    expect(imported.stderr).toMatch(/\[#{30}\] 2500\/2500 \(100%\)/);
    const array = join(dir, 'jobs.json');
    writeFileSync(array, JSON.stringify([{ task_name: 'process_data' }, { task_name: 'missing' }]));
    const bad = await cli('jobs', 'import', array);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/jobs 1-2 of .*Task not found: missing .*\(0 created before\)/);
  });

  it('manages schedules, queues, tasks and shows workers', async () => {
    const created = await cli('schedules', 'create', '--name', 'Hourly Check', '--task', 'process_data', '--every', '{"hours":1}', '--json');
    expect(created.code, created.stderr).toBe(0);
    const schedule = JSON.parse(created.stdout);
    expect((await cli('schedules', 'list')).stdout).toMatch(/Hourly Check\s+process_data\s+active/);
    expect((await cli('schedules', 'pause', schedule.id)).stdout).toMatch(/paused/);
    const updated = await cli('schedules', 'update', schedule.id, '--cron', '0 9 * * MON-FRI', '--json');
    expect(JSON.parse(updated.stdout)).toMatchObject({ cron_expression: '0 9 * * MON-FRI', status: 'paused' });
    expect((await cli('schedules', 'delete', schedule.id)).stdout).toBe(`deleted ${schedule.id}\n`);

    expect((await cli('queues', 'pause', 'reports')).stdout).toBe('paused reports\n');
    await cli('jobs', 'create', 'generate_report');
    expect((await cli('queues', 'list')).stdout).toMatch(/reports\s+1\s+0\s+yes/);
    expect((await cli('queues', 'clear', 'reports')).stdout).toBe('cleared 1 job(s) from reports\n');
    expect((await cli('queues', 'limit', 'reports', '4')).stdout).toBe('reports: at most 4 running\n');
    expect((await cli('queues', 'resume', 'reports')).stdout).toBe('resumed reports\n');
    expect((await cli('queues', 'list')).stdout).toMatch(/reports\s+0\s+0\s+no\s+4/);

    expect((await cli('tasks', 'list')).stdout).toMatch(/generate_report\s+1\.0\s+reports\s+600s\s+2 × 120s/);
    expect(JSON.parse((await cli('tasks', 'get', 'process_data', '--json')).stdout)).toMatchObject({ name: 'process_data', queue: 'default' });
    expect((await cli('workers')).stdout).toMatch(/active\s+default,reports|active\s+reports,default/);
  });
});
