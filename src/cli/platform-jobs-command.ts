/** `chime jobs create|cancel|retry|run|stats|import` and `list --platform`: the job platform's jobs. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { JobsClient, type CreateJobDto, type JobViewDto } from '../client/jobs-client.js';
import { resolveToken, type CredentialFlags } from './credentials.js';
import { action, printJson, type CliIo } from './output.js';
import { ProgressBar } from './progress.js';
import { renderTable } from './table.js';

export type PlatformFlags = CredentialFlags & { json?: boolean };

export async function platformClient(o: PlatformFlags): Promise<JobsClient> {
  return new JobsClient(o.server, await resolveToken(o));
}

/** The credential options every platform command takes. */
export function platformOptions(command: Command, serverDefault: string): Command {
  return command
    .option('--server <url>', 'Chime server URL (env CHIME_URL)', serverDefault)
    .option('--token <jwt>', 'bearer token (env CHIME_TOKEN; default: signed locally with the server\'s secret)')
    .option('--data-dir <dir>', "the server's data dir, to sign a token locally")
    .option('--json', 'print JSON');
}

export const JOB_COLUMNS = [
  { header: 'id', value: (j: JobViewDto) => j.id, max: 36 },
  { header: 'task', value: (j: JobViewDto) => j.task_name },
  { header: 'queue', value: (j: JobViewDto) => j.queue_name },
  { header: 'priority', value: (j: JobViewDto) => j.priority },
  { header: 'status', value: (j: JobViewDto) => j.status },
  { header: 'scheduled', value: (j: JobViewDto) => j.scheduled_at },
  { header: 'retries', value: (j: JobViewDto) => `${j.retry_count}/${j.max_retries}` },
];

export function parseJsonFlag(name: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`--${name}: not valid JSON: ${text}`);
  }
}

/** Reads a JSON array or NDJSON (one job per line) file of CreateJobDto. */
export function readJobsFile(path: string): CreateJobDto[] {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('[')) return JSON.parse(text) as CreateJobDto[];
  return text
    .split('\n')
    .map((line, index) => {
      try {
        return line.trim() ? (JSON.parse(line) as CreateJobDto) : null;
      } catch {
        throw new Error(`${path}:${index + 1}: not valid JSON`);
      }
    })
    .filter((job): job is CreateJobDto => job !== null);
}

export function registerPlatformJobCommands(jobs: Command, io: CliIo, setCode: (code: number) => void, serverDefault: string): void {
  const run = <A extends unknown[]>(fn: (...args: A) => Promise<void>) => action(io, setCode, fn);
  const show = (o: PlatformFlags, job: JobViewDto) => (o.json ? printJson(io, job) : io.out(renderTable([job], JOB_COLUMNS)));

  platformOptions(jobs.command('create <task_name>').description('create a job (job platform)'), serverDefault)
    .option('--args <json>', 'positional arguments, a JSON array')
    .option('--kwargs <json>', 'keyword arguments, a JSON object')
    .option('--queue <name>', 'queue (default: the task\'s)')
    .option('--priority <p>', 'critical, high, normal or low')
    .option('--at <time>', 'scheduled_at, RFC 3339 (default: now)')
    .option('--max-retries <n>', 'retries after a failure')
    .option('--retry-delay <seconds>', 'seconds between attempts')
    .option('--timeout <seconds>', 'seconds an attempt may run')
    .option('--tag <tag...>', 'tags')
    .option('--metadata <json>', 'a JSON object')
    .option('--task-version <v>', 'task version')
    .option('--id <job_id>', 'a custom job id')
    .action(
      run(async (taskName: string, o: PlatformFlags & Record<string, string | string[] | undefined>) => {
        const dto: CreateJobDto = { task_name: taskName };
        if (o.args) dto.args = parseJsonFlag('args', String(o.args)) as unknown[];
        if (o.kwargs) dto.kwargs = parseJsonFlag('kwargs', String(o.kwargs)) as Record<string, unknown>;
        if (o.queue) dto.queue_name = String(o.queue);
        if (o.priority) dto.priority = o.priority as CreateJobDto['priority'];
        if (o.at) dto.scheduled_at = String(o.at);
        if (o.maxRetries) dto.max_retries = Number(o.maxRetries);
        if (o.retryDelay) dto.retry_delay = Number(o.retryDelay);
        if (o.timeout) dto.timeout = Number(o.timeout);
        if (o.tag) dto.tags = o.tag as string[];
        if (o.metadata) dto.metadata = parseJsonFlag('metadata', String(o.metadata)) as Record<string, unknown>;
        if (o.taskVersion) dto.version = String(o.taskVersion);
        if (o.id) dto.job_id = String(o.id);
        show(o, await (await platformClient(o)).createJob(dto));
      }),
    );

  platformOptions(jobs.command('cancel <job_id>').description('cancel a job (job platform)'), serverDefault)
    .option('--reason <text>', 'why')
    .action(run(async (id: string, o: PlatformFlags & { reason?: string }) => show(o, await (await platformClient(o)).cancelJob(id, o.reason))));

  platformOptions(jobs.command('retry <job_id>').description('retry a failed, timed-out or cancelled job'), serverDefault).action(
    run(async (id: string, o: PlatformFlags) => show(o, await (await platformClient(o)).retryJob(id))),
  );

  platformOptions(jobs.command('run <task_name>').description('run a job now and print its result (run-sync)'), serverDefault)
    .option('--args <json>', 'positional arguments, a JSON array')
    .option('--kwargs <json>', 'keyword arguments, a JSON object')
    .option('--timeout <seconds>', 'seconds to wait')
    .action(
      run(async (taskName: string, o: PlatformFlags & { args?: string; kwargs?: string; timeout?: string }) => {
        const result = await (await platformClient(o)).runJobSync({
          task_name: taskName,
          args: parseJsonFlag('args', o.args) as unknown[] | undefined,
          kwargs: parseJsonFlag('kwargs', o.kwargs) as Record<string, unknown> | undefined,
          timeout: o.timeout === undefined ? undefined : Number(o.timeout),
        });
        io.out(JSON.stringify(result, null, o.json ? 2 : undefined));
      }),
    );

  platformOptions(jobs.command('stats').description('job counters by status, queue and priority'), serverDefault).action(
    run(async (o: PlatformFlags) => {
      const stats = await (await platformClient(o)).getJobStats();
      if (o.json) return printJson(io, stats);
      const queues = Object.entries(stats.by_queue).map(([name, c]) => ({ name, ...c }));
      io.out(`total ${stats.total_jobs}  pending ${stats.pending_jobs}  running ${stats.running_jobs}  completed ${stats.completed_jobs}  failed ${stats.failed_jobs}  cancelled ${stats.cancelled_jobs}  timeout ${stats.timeout_jobs}`);
      io.out(`avg wait ${stats.avg_wait_time ?? '-'} s  avg run ${stats.avg_run_time ?? '-'} s`);
      if (queues.length > 0) {
        io.out(
          renderTable(queues, [
            { header: 'queue', value: (q) => q.name },
            { header: 'total', value: (q) => q.total_jobs },
            { header: 'pending', value: (q) => q.pending_jobs },
            { header: 'running', value: (q) => q.running_jobs },
            { header: 'completed', value: (q) => q.completed_jobs },
            { header: 'failed', value: (q) => q.failed_jobs },
          ]),
        );
      }
    }),
  );

  platformOptions(jobs.command('import <file>').description('create jobs from a JSON array or NDJSON file, in bulk'), serverDefault)
    .option('--batch <n>', 'jobs per request', '1000')
    .action(
      run(async (file: string, o: PlatformFlags & { batch: string }) => {
        const all = readJobsFile(file);
        const client = await platformClient(o);
        const size = Math.max(1, Number(o.batch));
        const bar = new ProgressBar(all.length, (text) => process.stderr.write(text));
        let done = 0;
        for (let offset = 0; offset < all.length; offset += size) {
          const chunk = all.slice(offset, offset + size);
          try {
            await client.createJobs(chunk);
          } catch (error) {
            bar.finish(done);
            throw new Error(`jobs ${offset + 1}-${offset + chunk.length} of ${file}: ${(error as Error).message} (${done} created before)`);
          }
          done += chunk.length;
          bar.update(done);
        }
        bar.finish(done);
        if (o.json) printJson(io, { created: done });
        else io.out(`created ${done} job(s)`);
      }),
    );
}
