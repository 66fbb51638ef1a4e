/**
 * Chime's callback trials: the Dapr-style HTTP API with HTTP callbacks to a receiver in the
 * bench process, and the gRPC API with `AppCallback.OnJobEvent` to a gRPC app in it (see
 * chime.ts for the settings of each system).
 */
import type { BenchJob, BenchTrial, JobStartListener, WorkerSettings } from '../adapter.js';
import { pollUntil } from '../clock.js';
import { connectDapr, indexData, indexOf, startJobEventApp, type DaprGrpcClient } from '../dapr-grpc.js';
import { connectProfiler } from '../server-profiler.js';
import { startCallbackReceiver } from './callback-receiver.js';
import type { CallbackDeliveryVariant, Chime, ChimeSystemOptions } from './chime.js';
import { BENCH_SECRET, ChimeServerProcess, isoDueTime } from './chime-server.js';
import type { TrialStore } from './chime-trial-store.js';

/** Concurrent requests when the API has no bulk form (named jobs). */
const SINGLE_REQUESTS_IN_FLIGHT = 100;

async function forEachInFlight<T>(items: readonly T[], limit: number, body: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await body(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export const DELIVERY_SETTINGS: Record<CallbackDeliveryVariant, string> = {
  default: 'signed (Standard Webhooks), to the app URL',
  plain: 'unsigned (--webhook-signing false), to the app URL: signing and outbound guard off',
  guarded: 'signed, each job with its own target http://localhost:<port> through the outbound guard (--allow-target localhost,127.0.0.1/32,::1/128; --target-concurrency = workload concurrency)',
};

export async function openCallbackTrial(lib: Chime, store: TrialStore, options: ChimeSystemOptions): Promise<BenchTrial> {
  const delivery = options.delivery ?? 'default';
  const receiver = await startCallbackReceiver();
  const { port, appUrl } = receiver;
  let server: ChimeServerProcess | undefined;
  let scheduler: InstanceType<Chime['SchedulerClient']> | undefined;
  const started = (): ChimeServerProcess => {
    if (!server) throw new Error('start the worker (the server) first');
    return server;
  };
  const counter = await lib.createStore(store.spec);
  await counter.open();
  const schedule = async (job: BenchJob) => {
    if (!scheduler) throw new Error('start the worker (the server) first');
    const target = delivery === 'guarded' ? { target: { url: `http://localhost:${port}/api/jobs/trigger` } } : {};
    await scheduler.scheduleJob(`bench-${job.index}`, { dueTime: isoDueTime(job.dueAtMs) ?? '0s', data: { i: job.index }, ...target });
  };
  return {
    add: schedule,
    addBulk: (jobs) => forEachInFlight(jobs, SINGLE_REQUESTS_IN_FLIGHT, schedule),
    async startWorker(onJobStart: JobStartListener, { concurrency }: WorkerSettings) {
      receiver.listen(onJobStart);
      server = await ChimeServerProcess.start([
        '--store', store.spec,
        '--jwt-secret', BENCH_SECRET,
        '--app-url', appUrl,
        '--callback-style', 'envelope',
        '--max-concurrent-jobs', String(concurrency),
        ...(store.eventsUrl ? ['--events-url', store.eventsUrl] : []),
        ...(delivery === 'plain' ? ['--webhook-signing', 'false'] : []),
        ...(delivery === 'guarded' ? ['--allow-target', 'localhost,127.0.0.1/32,::1/128', '--target-concurrency', String(concurrency)] : []),
        ...(options.serverArgs ?? []),
      ], {}, options.profiled ? ['--inspect=127.0.0.1:0'] : []);
      scheduler = new lib.SchedulerClient({ baseUrl: server.url });
    },
    waitForCompletions: (count, signal) => callbacksCompleted(counter, count, signal),
    callbackReceiver: async () => receiver.rawTarget(),
    serverCpuSeconds: () => started().cpuSeconds(),
    ...(options.profiled ? { profileServer: () => connectProfiler(started().inspectorUrl) } : {}),
    async close() {
      await server?.stop();
      await counter.close();
      await receiver.close();
      await store.drop();
    },
  };
}

export type TrialCounter = Awaited<ReturnType<Chime['createStore']>>;

/** Callback completions, as the store counts them (rule 4). */
async function callbacksCompleted(counter: TrialCounter, count: number, signal: AbortSignal): Promise<void> {
  const completed = async () =>
    ((await counter.listJobs({ target: 'callback', statuses: ['completed'], limit: 1, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).total ?? 0) >= count;
  await pollUntil(completed, 50, signal);
}

export async function openGrpcTrial(lib: Chime, store: TrialStore): Promise<BenchTrial> {
  let listener: JobStartListener = () => {};
  const app = await startJobEventApp((request) => listener(indexOf(request.data)));
  let server: ChimeServerProcess | undefined;
  let client: DaprGrpcClient | undefined;
  const counter = await lib.createStore(store.spec);
  await counter.open();
  const startServer = async (concurrency?: number): Promise<ChimeServerProcess> => {
    server = await ChimeServerProcess.start([
      '--store', store.spec,
      '--jwt-secret', BENCH_SECRET,
      '--grpc-port', '0',
      '--app-url', app.url,
      '--app-protocol', 'grpc',
      ...(concurrency === undefined ? [] : ['--max-concurrent-jobs', String(concurrency)]),
    ]);
    client = await connectDapr(server.grpcAddress);
    return server;
  };
  const schedule = async (job: BenchJob) => {
    if (!client) throw new Error('start the worker (the server) first');
    await client.call('ScheduleJobAlpha1', { job: { name: `bench-${job.index}`, due_time: isoDueTime(job.dueAtMs) ?? '0s', data: indexData(job.index) } });
  };
  return {
    add: schedule,
    addBulk: (jobs) => forEachInFlight(jobs, SINGLE_REQUESTS_IN_FLIGHT, schedule),
    async startWorker(onJobStart: JobStartListener, { concurrency }: WorkerSettings) {
      listener = onJobStart;
      await startServer(concurrency);
    },
    waitForCompletions: (count, signal) => callbacksCompleted(counter, count, signal),
    async startGrpc() {
      return { address: (await startServer()).grpcAddress };
    },
    async close() {
      client?.close();
      await server?.stop();
      await counter.close();
      app.stop();
      await store.drop();
    },
  };
}
