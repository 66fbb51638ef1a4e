/**
 * The systems a bench run knows, in the order runs interleave them. To add a
 * system, write its adapter (see ../adapter.ts) and list it here; Chime's
 * systems go first so each table starts with them.
 */
import type { SystemAdapter, WorkloadName } from '../adapter.js';
import type { ServiceConfig } from '../services.js';
import { createBullmqAdapter } from './bullmq.js';
import { createChimeAdapter } from './chime.js';
import { createGraphileWorkerAdapter } from './graphile-worker.js';
import { createPgBossAdapter } from './pg-boss.js';
import { createRawCallbackAdapter } from './raw-callback.js';

/** The peers have no HTTP API of their own. */
const QUEUE_WORKLOADS: readonly WorkloadName[] = ['enqueue', 'process', 'latency', 'lateness', 'burst', 'storage'];
/** Variants that differ only in how delayed jobs are woken run only these. */
const DELAYED_JOB_WORKLOADS: readonly WorkloadName[] = ['lateness', 'burst'];

/** Chime's task path takes part in everything; its API is the one with an HTTP workload. */
const CHIME_WORKLOADS: readonly WorkloadName[] = [...QUEUE_WORKLOADS, 'http'];

export function createSystems(services: ServiceConfig): SystemAdapter[] {
  return [
    // Issue 14's sustained rate and scale series are Chime's own targets; SQLite is where they are set.
    createChimeAdapter(services, { name: 'chime-sqlite', backend: 'sqlite', mode: 'tasks', workloads: [...CHIME_WORKLOADS, 'dashboard', 'sustained', 'scale'] }),
    createChimeAdapter(services, { name: 'chime-sqlite-callback', backend: 'sqlite', mode: 'callbacks', workloads: [...DELAYED_JOB_WORKLOADS, 'sustained'] }),
    // The SQLite store on its own thread (`?thread=on`), against the two above.
    createChimeAdapter(services, { name: 'chime-sqlite-thread', backend: 'sqlite', mode: 'tasks', sqliteQuery: 'thread=on', workloads: [...QUEUE_WORKLOADS, 'http', 'sustained'] }),
    createChimeAdapter(services, { name: 'chime-sqlite-callback-thread', backend: 'sqlite', mode: 'callbacks', sqliteQuery: 'thread=on', workloads: [...DELAYED_JOB_WORKLOADS, 'sustained'] }),
    // The same callback burst with every job event published to a broker: the cost of events.
    createChimeAdapter(services, { name: 'chime-sqlite-callback-events', backend: 'sqlite', mode: 'callbacks', events: true, workloads: ['burst'] }),
    // Issue 12: the cost of signing and the outbound guard on a callback burst, off and on.
    createChimeAdapter(services, { name: 'chime-sqlite-callback-plain', backend: 'sqlite', mode: 'callbacks', delivery: 'plain', workloads: ['burst'] }),
    createChimeAdapter(services, { name: 'chime-sqlite-callback-guarded', backend: 'sqlite', mode: 'callbacks', delivery: 'guarded', workloads: ['burst'] }),
    // The cost of observability: the same as chime-sqlite-callback (metrics on, logs at info)
    // with metrics off and only error lines; run the two together (docs/operations.md).
    createChimeAdapter(services, {
      name: 'chime-sqlite-callback-obs-off',
      backend: 'sqlite',
      mode: 'callbacks',
      workloads: DELAYED_JOB_WORKLOADS,
      serverArgs: ['--metrics', 'off', '--log-level', 'error'],
    }),
    // Workload 12: the default and the guarded callback servers again, with a CPU profile of the burst.
    createChimeAdapter(services, { name: 'chime-sqlite-callback-profiled', backend: 'sqlite', mode: 'callbacks', profiled: true, workloads: ['cost'] }),
    createChimeAdapter(services, { name: 'chime-sqlite-callback-guarded-profiled', backend: 'sqlite', mode: 'callbacks', delivery: 'guarded', profiled: true, workloads: ['cost'] }),
    createChimeAdapter(services, { name: 'chime-sqlite-grpc', backend: 'sqlite', mode: 'grpc-callbacks', workloads: [...DELAYED_JOB_WORKLOADS, 'grpc'] }),
    createChimeAdapter(services, { name: 'chime-sqlite-sdk-batched', backend: 'sqlite', mode: 'batched-sdk', workloads: ['enqueue'] }),
    createChimeAdapter(services, { name: 'chime-postgres', backend: 'postgres', mode: 'tasks', workloads: CHIME_WORKLOADS }),
    createChimeAdapter(services, { name: 'chime-redis', backend: 'redis', mode: 'tasks', workloads: CHIME_WORKLOADS }),
    createBullmqAdapter(services, { name: 'bullmq', workloads: QUEUE_WORKLOADS }),
    createBullmqAdapter(services, { name: 'bullmq-hz100', redisHz: 100, workloads: DELAYED_JOB_WORKLOADS }),
    createPgBossAdapter(services, { name: 'pg-boss', workloads: QUEUE_WORKLOADS }),
    createGraphileWorkerAdapter(services, {
      name: 'graphile-worker',
      schema: 'bench_graphile',
      pollIntervalMs: 2_000,
      workloads: QUEUE_WORKLOADS,
    }),
    createGraphileWorkerAdapter(services, {
      name: 'graphile-worker-poll100',
      schema: 'bench_graphile_poll100',
      pollIntervalMs: 100,
      workloads: DELAYED_JOB_WORKLOADS,
    }),
    // The floor under the callback lateness rows: a plain sender to the same receiver, no store.
    createRawCallbackAdapter(),
  ];
}
