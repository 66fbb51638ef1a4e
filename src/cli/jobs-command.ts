/** `chime jobs ...`: named Dapr-style jobs on a running server, through the SDK. */
import type { Command } from 'commander';
import { ChimeApiError } from '../client/http.js';
import { SchedulerClient, type DaprJob, type ScheduleJobRequest } from '../client/scheduler-client.js';
import { defaultServerUrl } from './credentials.js';
import { JOB_COLUMNS as PLATFORM_JOB_COLUMNS, platformClient, registerPlatformJobCommands, type PlatformFlags } from './platform-jobs-command.js';
import { action, printJson, type CliIo } from './output.js';
import { renderTable } from './table.js';

interface Common {
  server: string;
  json?: boolean;
}

const JOB_COLUMNS = [
  { header: 'name', value: (j: DaprJob) => j.name, max: 48 },
  { header: 'status', value: (j: DaprJob) => j.status },
  { header: 'schedule', value: (j: DaprJob) => j.schedule || (j.dueTime ? `once @ ${j.dueTime}` : '-') },
  { header: 'next run', value: (j: DaprJob) => j.next_run_at },
  { header: 'last run', value: (j: DaprJob) => j.last_run_at },
  { header: 'fired', value: (j: DaprJob) => j.fire_count },
];


export function registerJobsCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  const jobs = program
    .command('jobs')
    .description('jobs on a running server: named jobs (Dapr Jobs API) and, with create/cancel/retry/run/stats/import/list --platform, the job platform');
  const client = (o: Common) => new SchedulerClient({ baseUrl: o.server });
  const common = (c: Command) => c.option('--server <url>', 'Chime server URL (env CHIME_URL)', defaultServerUrl()).option('--json', 'print JSON');

  common(jobs.command('list').description('list named jobs, or with --platform the job platform\'s jobs'))
    .option('--prefix <prefix>', 'only names starting with this')
    .option('--status <status...>', 'named jobs: scheduled, paused, completed, expired, failed; --platform: the eight job statuses')
    .option('--limit <n>', 'page size', '100')
    .option('--cursor <name>', 'continue after this name')
    .option('--platform', 'list /api/v1 jobs (then: --queue, --priority, --tag, --worker, --offset)')
    .option('--queue <name>', 'with --platform: only this queue')
    .option('--priority <p>', 'with --platform: only this priority')
    .option('--tag <tag...>', 'with --platform: jobs carrying these tags')
    .option('--worker <id>', 'with --platform: jobs run by this worker')
    .option('--offset <n>', 'with --platform: skip this many', '0')
    .option('--token <jwt>', 'with --platform: bearer token (env CHIME_TOKEN)')
    .option('--data-dir <dir>', "with --platform: the server's data dir, to sign a token locally")
    .action(
      action(io, setCode, async (o: Common & { prefix?: string; status?: string[]; limit: string; cursor?: string; platform?: boolean } & Record<string, unknown>) => {
        if (o.platform) {
          const page = await (await platformClient(o as PlatformFlags)).listJobs({
            queue_name: o.queue as string | undefined,
            status: o.status,
            priority: o.priority as string | undefined,
            tags: o.tag as string[] | undefined,
            worker_id: o.worker as string | undefined,
            limit: Number(o.limit),
            offset: Number(o.offset),
          });
          if (o.json) return printJson(io, page);
          io.out(page.items.length === 0 ? 'no jobs' : renderTable(page.items, PLATFORM_JOB_COLUMNS));
          io.out(`page ${page.page} of ${page.pages} (${page.total} job(s))`);
          return;
        }
        const page = await client(o).listJobs({ prefix: o.prefix, status: o.status, limit: Number(o.limit), cursor: o.cursor });
        if (o.json) return printJson(io, page);
        io.out(page.jobs.length === 0 ? 'no jobs' : renderTable(page.jobs, JOB_COLUMNS));
        if (page.next_cursor) io.out(`more: --cursor ${page.next_cursor}`);
      }),
    );

  common(jobs.command('get <name-or-id>').description('show a named job, or else a job platform job by id'))
    .option('--token <jwt>', 'for a platform job: bearer token (env CHIME_TOKEN)')
    .option('--data-dir <dir>', "for a platform job: the server's data dir, to sign a token locally")
    .action(
      action(io, setCode, async (ref: string, o: Common & { token?: string; dataDir?: string }) => {
        let job: DaprJob;
        try {
          job = await client(o).getJob(ref);
        } catch (error) {
          if (!(error instanceof ChimeApiError && error.status === 404)) throw error;
          // Not a named job: perhaps a platform job id. If that fails too, the 404 is the answer.
          const platformJob = await platformClient(o)
            .then((client) => client.getJob(ref))
            .catch(() => {
              throw error;
            });
          if (o.json) return printJson(io, platformJob);
          io.out(renderTable([platformJob], PLATFORM_JOB_COLUMNS));
          io.out(`args: ${JSON.stringify(platformJob.args)}  kwargs: ${JSON.stringify(platformJob.kwargs)}`);
          if (platformJob.result !== null) io.out(`result: ${JSON.stringify(platformJob.result)}`);
          if (platformJob.error) io.out(`error: ${platformJob.error.type}: ${platformJob.error.message}`);
          return;
        }
        if (o.json) return printJson(io, job);
        io.out(renderTable([job], JOB_COLUMNS));
        io.out(`data: ${JSON.stringify(job.data)}`);
      }),
    );

  common(jobs.command('schedule <name>').description('schedule a job'))
    .option('--schedule <expr>', 'cron (5/6 fields), @every 1m, @daily ...')
    .option('--due-time <time>', 'RFC 3339, Go duration from now (10s) or ISO-8601 duration')
    .option('--repeats <n>', 'total firings (0 = forever)')
    .option('--ttl <time>', 'no firing at or after this')
    .option('--data <json>', 'JSON payload delivered to the app', 'null')
    .option('--overwrite', 'replace a live job of the same name')
    .option('--missed-fire-policy <policy>', 'fire_once, all or skip')
    .action(
      action(io, setCode, async (name: string, o: Common & Record<string, string | boolean | undefined>) => {
        let data: unknown;
        try {
          data = JSON.parse(String(o.data));
        } catch {
          throw new Error(`--data: not valid JSON: ${String(o.data)}`);
        }
        const request: ScheduleJobRequest = { data };
        if (o.schedule) request.schedule = String(o.schedule);
        if (o.dueTime) request.dueTime = String(o.dueTime);
        if (o.repeats !== undefined) request.repeats = Number(o.repeats);
        if (o.ttl) request.ttl = String(o.ttl);
        if (o.overwrite) request.overwrite = true;
        if (o.missedFirePolicy) request.missedFirePolicy = o.missedFirePolicy as ScheduleJobRequest['missedFirePolicy'];
        const answer = await client(o).scheduleJob(name, request);
        if (o.json) return printJson(io, answer);
        io.out(`scheduled ${name}`);
      }),
    );

  registerPlatformJobCommands(jobs, io, setCode, defaultServerUrl());

  common(jobs.command('delete <name>').description('delete a job')).action(
    action(io, setCode, async (name: string, o: Common) => {
      const answer = await client(o).deleteJob(name);
      if (o.json) return printJson(io, answer);
      io.out(`deleted ${name}`);
    }),
  );

  common(jobs.command('history <name>').description("a job's firings, newest first"))
    .option('--limit <n>', 'entries', '20')
    .action(
      action(io, setCode, async (name: string, o: Common & { limit: string }) => {
        const history = await client(o).jobHistory(name, { limit: Number(o.limit) });
        if (o.json) return printJson(io, history);
        io.out(
          history.length === 0
            ? 'no firings yet'
            : renderTable(history, [
                { header: 'scheduled', value: (h) => h.scheduled_time },
                { header: 'actual', value: (h) => h.actual_time },
                { header: 'attempt', value: (h) => h.attempt },
                { header: 'outcome', value: (h) => h.outcome },
                { header: 'http', value: (h) => h.http_status },
                { header: 'ms', value: (h) => Math.round(h.duration_ms) },
                { header: 'error', value: (h) => h.error, max: 50 },
              ]),
        );
      }),
    );
}
