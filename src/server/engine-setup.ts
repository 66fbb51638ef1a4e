/** Pieces `chime serve` and `chime worker` share: the engine, task loading, the worker. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SystemClock, type Clock } from '../core/clock.js';
import { StoreAlignedClock } from '../runtime/store-clock.js';
import type { FailurePolicy } from '../core/types.js';
import { Engine } from '../runtime/engine.js';
import { FailureHooks } from '../runtime/failure-hooks.js';
import { tasksFromModule, type TaskDefinition } from '../core/tasks.js';
import { TaskWorker } from '../runtime/worker.js';
import type { Store } from '../store/store.js';
import type { Logger } from './logger.js';
import type { NodeOptions, ServerOptions } from './options.js';

/**
 * Engine settings no flag sets, declared once here. Changing one changes every node's firing
 * behaviour; measure with `npm run bench` first.
 */
export interface EngineTunables {
  /**
   * Jobs are claimed this long before they fall due, held, and started exactly on time: more
   * than a claim takes on any store here (SQLite ~0.5 ms, PostgreSQL and Redis a few ms), so the
   * start, not the claim, meets the due time.
   * @default 10
   */
  leadMs: number;
  /**
   * The lead on PostgreSQL instead of `leadMs`. A claim there commits, and the commit waits for
   * the WAL's fsync: beside other writers on the disk, commits took up to 22 ms
   * (`log_min_duration_statement`), and every job such a claim held started late by what the
   * claim took past the lead (lateness max 18-37 ms at a 10 ms lead, 7-9 ms at 50;
   * docs/benchmarks.md, "PostgreSQL: a lead longer than a commit"). SQLite commits without an
   * fsync (WAL, synchronous=NORMAL) and Redis does not wait for its append-only file.
   * @default 50
   */
  postgresLeadMs: number;
  /**
   * One claim also takes the jobs due this long after its lead, so jobs falling due at a
   * steady rate are claimed in batches: at 2,000 callbacks/s, about 80 claims a second
   * instead of 400 to 600 (docs/benchmarks.md, "Sustained callbacks"). They are held and
   * started on time like any job claimed ahead.
   * @default 10
   */
  claimSpanMs: number;
  /**
   * Outcome (and start) writes are at least this far apart; a write after a quiet spell goes
   * at once. Part of the same measurement as `claimSpanMs`.
   * @default 5
   */
  outcomeFlushIntervalMs: number;
  /** How far ahead each dispatcher keeps due times in its heap. @default 60000 (1 min) */
  windowMs: number;
  /** Most due times one refill of the window reads. @default 1000 */
  peekLimit: number;
  /** Most jobs one claim takes. @default 256 */
  batchSize: number;
  /**
   * A full re-read of the window at least this often. A safety net only: due signals wake the
   * engine; this catches a lost one.
   * @default 30000 (30 s)
   */
  pollIntervalMs: number;
  /** How often running jobs are checked for cancel requests made on other nodes. @default 500 */
  cancelPollMs: number;
  /** How often finished jobs past `--retention` are deleted. @default 3600000 (1 h) */
  cleanupIntervalMs: number;
  /** Dead leases are looked for every this fraction of `--lease`, and never more often than every 100 ms. @default 0.5 */
  reapFractionOfLease: number;
}

export const ENGINE_TUNABLES: Readonly<EngineTunables> = {
  leadMs: 10,
  postgresLeadMs: 50,
  claimSpanMs: 10,
  outcomeFlushIntervalMs: 5,
  windowMs: 60_000,
  peekLimit: 1000,
  batchSize: 256,
  pollIntervalMs: 30_000,
  cancelPollMs: 500,
  cleanupIntervalMs: 3_600_000,
  reapFractionOfLease: 0.5,
};

export function defaultFailurePolicy(options: Pick<ServerOptions, 'maxRetries' | 'retryIntervalMs'>): FailurePolicy {
  return {
    kind: 'constant',
    intervalMs: options.retryIntervalMs,
    maxRetries: options.maxRetries < 0 ? null : options.maxRetries,
  };
}

/**
 * The clock a node's engine runs on: the one given (tests), else the system clock, aligned to
 * the store server's clock where the store has one (PostgreSQL, Redis).
 */
export async function engineClock(store: Store, given: Clock | undefined, logger: Logger): Promise<{ clock: Clock; stop: () => void }> {
  if (given) return { clock: given, stop: () => {} };
  if (!store.serverTime) return { clock: new SystemClock(), stop: () => {} };
  const aligned = new StoreAlignedClock(new SystemClock(), () => store.serverTime!(), (error) =>
    logger.log('warn', 'reading the store clock failed', error),
  );
  await aligned.start();
  if (Math.abs(aligned.offset) > 1000) logger.log('warn', `this node's clock is ${Math.round(-aligned.offset)} ms off the store's; timers follow the store`);
  return { clock: aligned, stop: () => aligned.stop() };
}

/**
 * @param role `server` for `chime serve`, the owner of a SQLite file; a `worker` process
 * shares the file with a live server, so it takes back only its own leases at start.
 * @param tunables the engine settings no flag sets (tests may pass their own)
 */
export function createEngine(
  store: Store,
  clock: Clock,
  options: NodeOptions,
  logger: Logger,
  role: 'server' | 'worker',
  tunables: Readonly<EngineTunables> = ENGINE_TUNABLES,
): Engine {
  const { reapFractionOfLease, postgresLeadMs, ...engineTunables } = tunables;
  return new Engine(store, clock, {
    ...engineTunables,
    leadMs: store.backend === 'postgres' ? postgresLeadMs : tunables.leadMs,
    nodeId: options.nodeId,
    defaultFailurePolicy: defaultFailurePolicy(options),
    leaseMs: options.leaseMs,
    reapIntervalMs: Math.max(100, Math.floor(options.leaseMs * reapFractionOfLease)),
    retentionMs: options.retentionMs,
    missedFireThresholdMs: options.missedFireThresholdMs,
    drainGraceMs: options.drainGraceMs,
    // A SQLite file has one owner, the server: whatever lease it holds at the server's start
    // belongs to a dead process (live workers excepted), so everything in flight at a crash
    // comes back at once.
    singleOwnerStore: role === 'server' && store.backend === 'sqlite',
    log: (level, message, error) => logger.log(level, message, error),
  });
}

/** Imports a tasks module (a path, relative to the working directory) and collects its tasks. */
export async function loadTasks(path: string): Promise<TaskDefinition[]> {
  const module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  const tasks = tasksFromModule(module);
  if (tasks.length === 0) {
    throw new Error(`tasks: ${path} exports no task (export defineTask({ name, handler, ... }) objects, or an array of them)`);
  }
  return tasks;
}

/** Starts a worker for `options.tasks` on the engine, or returns null when there are none. */
export async function startTaskWorker(
  store: Store,
  clock: Clock,
  engine: Engine,
  options: NodeOptions,
  logger: Logger,
  tasks?: readonly TaskDefinition[],
): Promise<TaskWorker | null> {
  const definitions = tasks ?? (options.tasks ? await loadTasks(options.tasks) : null);
  if (!definitions || definitions.length === 0) return null;
  const worker = new TaskWorker(store, clock, engine, {
    id: options.nodeId,
    tasks: definitions,
    queues: options.queues ?? undefined,
    concurrency: options.workerConcurrency,
    prefetch: options.workerPrefetch ?? undefined,
  });
  await worker.start();
  logger.log(
    'info',
    `worker ${options.nodeId}: ${definitions.map((t) => `${t.name}@${t.version}`).join(', ')} on ${worker.queues.join(', ')} (concurrency ${options.workerConcurrency})`,
  );
  return worker;
}

/**
 * Failure and success hooks for the jobs this node's engine finishes. Every process with an
 * engine starts them (a `chime worker` too: its task jobs fail there); they only write hook
 * jobs to the store, which a `chime serve` node's callback lane delivers.
 */
export function startFailureHooks(store: Store, clock: Clock, engine: Engine, options: ServerOptions, logger: Logger): FailureHooks {
  const hooks = new FailureHooks(store, clock, engine.events, {
    serverFailureUrl: options.failureHookUrl,
    log: (level, message, error) => logger.log(level, message, error),
  });
  hooks.start();
  return hooks;
}
