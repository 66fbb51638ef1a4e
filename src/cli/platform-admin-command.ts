/** `chime schedules|queues|tasks|workers ...`: the job platform, through the SDK. */
import type { Command } from 'commander';
import type { CreateScheduleDto, QueueDto, ScheduleViewDto, TaskInfoDto, WorkerDto } from '../client/jobs-client.js';
import { defaultServerUrl } from './credentials.js';
import { action, printJson, type CliIo } from './output.js';
import { parseJsonFlag, platformClient, platformOptions, type PlatformFlags } from './platform-jobs-command.js';
import { renderTable } from './table.js';

const SCHEDULE_COLUMNS = [
  { header: 'id', value: (s: ScheduleViewDto) => s.id, max: 36 },
  { header: 'name', value: (s: ScheduleViewDto) => s.name },
  { header: 'task', value: (s: ScheduleViewDto) => s.task_name },
  { header: 'status', value: (s: ScheduleViewDto) => s.status },
  { header: 'every', value: (s: ScheduleViewDto) => s.cron_expression ?? JSON.stringify(s.interval) },
  { header: 'next run', value: (s: ScheduleViewDto) => s.next_run_at },
  { header: 'last run', value: (s: ScheduleViewDto) => s.last_run_at },
];

function scheduleFlags(command: Command): Command {
  return command
    .option('--name <name>', 'schedule name')
    .option('--task <task_name>', 'task to run')
    .option('--cron <expr>', 'cron expression (exclusive with --every)')
    .option('--every <json>', 'interval, e.g. \'{"minutes":15}\'')
    .option('--timezone <zone>', 'IANA zone for --cron')
    .option('--args <json>', 'positional arguments, a JSON array')
    .option('--kwargs <json>', 'keyword arguments, a JSON object')
    .option('--queue <name>', 'queue')
    .option('--priority <p>', 'critical, high, normal or low')
    .option('--tag <tag...>', 'tags')
    .option('--missed-fire-policy <p>', 'fire_once, all or skip');
}

function scheduleBody(o: Record<string, unknown>): Partial<CreateScheduleDto> {
  const body: Partial<CreateScheduleDto> = {};
  if (o.name) body.name = String(o.name);
  if (o.task) body.task_name = String(o.task);
  if (o.cron) body.cron_expression = String(o.cron);
  if (o.every) body.interval = parseJsonFlag('every', String(o.every)) as CreateScheduleDto['interval'];
  if (o.timezone) body.timezone = String(o.timezone);
  if (o.args) body.args = parseJsonFlag('args', String(o.args)) as unknown[];
  if (o.kwargs) body.kwargs = parseJsonFlag('kwargs', String(o.kwargs)) as Record<string, unknown>;
  if (o.queue) body.queue_name = String(o.queue);
  if (o.priority) body.priority = o.priority as CreateScheduleDto['priority'];
  if (o.tag) body.tags = o.tag as string[];
  if (o.missedFirePolicy) body.missed_fire_policy = o.missedFirePolicy as CreateScheduleDto['missed_fire_policy'];
  return body;
}

export function registerPlatformAdminCommands(program: Command, io: CliIo, setCode: (code: number) => void): void {
  const server = defaultServerUrl();
  const run = <A extends unknown[]>(fn: (...args: A) => Promise<void>) => action(io, setCode, fn);
  const opts = (command: Command) => platformOptions(command, server);

  const schedules = program.command('schedules').description('recurring task schedules (job platform)');
  const showSchedule = (o: PlatformFlags, s: ScheduleViewDto) => (o.json ? printJson(io, s) : io.out(renderTable([s], SCHEDULE_COLUMNS)));
  opts(schedules.command('list').description('list schedules'))
    .option('--status <status>', 'active or paused')
    .option('--limit <n>', 'page size', '100')
    .option('--offset <n>', 'skip this many', '0')
    .action(
      run(async (o: PlatformFlags & { status?: 'active' | 'paused'; limit: string; offset: string }) => {
        const page = await (await platformClient(o)).listSchedules({ status: o.status, limit: Number(o.limit), offset: Number(o.offset) });
        if (o.json) return printJson(io, page);
        io.out(page.items.length === 0 ? 'no schedules' : renderTable(page.items, SCHEDULE_COLUMNS));
      }),
    );
  opts(schedules.command('get <schedule_id>')).action(run(async (id: string, o: PlatformFlags) => showSchedule(o, await (await platformClient(o)).getSchedule(id))));
  opts(scheduleFlags(schedules.command('create').description('create a schedule: --name, --task and --cron or --every'))).action(
    run(async (o: PlatformFlags & Record<string, unknown>) => showSchedule(o, await (await platformClient(o)).createSchedule(scheduleBody(o) as CreateScheduleDto))),
  );
  opts(scheduleFlags(schedules.command('update <schedule_id>').description('change a schedule (next run is recomputed)'))).action(
    run(async (id: string, o: PlatformFlags & Record<string, unknown>) => showSchedule(o, await (await platformClient(o)).updateSchedule(id, scheduleBody(o)))),
  );
  opts(schedules.command('delete <schedule_id>')).action(
    run(async (id: string, o: PlatformFlags) => {
      await (await platformClient(o)).deleteSchedule(id);
      io.out(`deleted ${id}`);
    }),
  );
  for (const verb of ['pause', 'resume'] as const) {
    opts(schedules.command(`${verb} <schedule_id>`)).action(
      run(async (id: string, o: PlatformFlags) => {
        const client = await platformClient(o);
        showSchedule(o, verb === 'pause' ? await client.pauseSchedule(id) : await client.resumeSchedule(id));
      }),
    );
  }

  const queues = program.command('queues').description('queues: list, pause, resume, clear, limit');
  opts(queues.command('list')).action(
    run(async (o: PlatformFlags) => {
      const list = await (await platformClient(o)).listQueues();
      if (o.json) return printJson(io, list);
      io.out(
        list.items.length === 0
          ? 'no queues'
          : renderTable(list.items, [
              { header: 'name', value: (q: QueueDto) => q.name },
              { header: 'size', value: (q: QueueDto) => q.size },
              { header: 'running', value: (q: QueueDto) => q.running },
              { header: 'paused', value: (q: QueueDto) => (q.is_paused ? 'yes' : 'no') },
              { header: 'limit', value: (q: QueueDto) => q.concurrency ?? '-' },
            ]),
      );
    }),
  );
  for (const verb of ['pause', 'resume'] as const) {
    opts(queues.command(`${verb} <queue_name>`)).action(
      run(async (name: string, o: PlatformFlags) => {
        const client = await platformClient(o);
        await (verb === 'pause' ? client.pauseQueue(name) : client.resumeQueue(name));
        io.out(`${verb === 'pause' ? 'paused' : 'resumed'} ${name}`);
      }),
    );
  }
  opts(queues.command('clear <queue_name>').description("remove a queue's waiting jobs")).action(
    run(async (name: string, o: PlatformFlags) => io.out(`cleared ${await (await platformClient(o)).clearQueue(name)} job(s) from ${name}`)),
  );
  opts(queues.command('limit <queue_name> <concurrency>').description('most running at once across workers ("none" removes it)')).action(
    run(async (name: string, limit: string, o: PlatformFlags) => {
      const value = limit === 'none' ? null : Number(limit);
      if (value !== null && (!Number.isInteger(value) || value < 1)) throw new Error('concurrency: a positive integer or "none"');
      await (await platformClient(o)).setQueueConcurrency(name, value);
      io.out(`${name}: ${value === null ? 'no limit' : `at most ${value} running`}`);
    }),
  );

  const tasks = program.command('tasks').description('tasks registered by workers');
  const TASK_COLUMNS = [
    { header: 'name', value: (t: TaskInfoDto) => t.name },
    { header: 'version', value: (t: TaskInfoDto) => t.version },
    { header: 'queue', value: (t: TaskInfoDto) => t.queue },
    { header: 'timeout', value: (t: TaskInfoDto) => `${t.timeout}s` },
    { header: 'retries', value: (t: TaskInfoDto) => `${t.max_retries} × ${t.retry_delay}s` },
    { header: 'description', value: (t: TaskInfoDto) => t.description, max: 50 },
  ];
  opts(tasks.command('list')).action(
    run(async (o: PlatformFlags) => {
      const list = await (await platformClient(o)).listTasks();
      if (o.json) return printJson(io, list);
      io.out(list.items.length === 0 ? 'no tasks registered (start a worker with --tasks)' : renderTable(list.items, TASK_COLUMNS));
    }),
  );
  opts(tasks.command('get <task_name>'))
    .option('--task-version <v>', 'a specific version')
    .action(
      run(async (name: string, o: PlatformFlags & { taskVersion?: string }) => {
        const task = await (await platformClient(o)).getTask(name, o.taskVersion);
        if (o.json) return printJson(io, task);
        io.out(renderTable([task], TASK_COLUMNS));
      }),
    );

  opts(program.command('workers').description('workers and their heartbeats')).action(
    run(async (o: PlatformFlags) => {
      const list = await (await platformClient(o)).listWorkers();
      if (o.json) return printJson(io, list);
      io.out(
        renderTable(list.items, [
          { header: 'id', value: (w: WorkerDto) => w.id },
          { header: 'status', value: (w: WorkerDto) => w.status },
          { header: 'queues', value: (w: WorkerDto) => w.queues.join(',') },
          { header: 'concurrency', value: (w: WorkerDto) => w.concurrency },
          { header: 'last seen', value: (w: WorkerDto) => w.last_seen_at },
        ]),
      );
    }),
  );
}
