/**
 * A worker: registers its tasks in the store (so `/api/v1/tasks` lists what can run and
 * job creation can check task names), adds a task lane to the engine, and reports a
 * heartbeat. Runs inside `chime serve --tasks` or as `chime worker`.
 */
import { hostname } from 'node:os';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Store, WorkerInfo } from '../store/store.js';
import type { Engine } from './engine.js';
import { TaskRunner } from './task-runner.js';
import type { TaskDefinition } from '../core/tasks.js';

export interface WorkerOptions {
  /** This worker's id (its leases and `worker_id`). */
  id: string;
  tasks: readonly TaskDefinition[];
  /** Queues to take jobs from. @default the queues of `tasks` */
  queues?: readonly string[];
  /** Jobs run at once. @default 10 */
  concurrency?: number;
  /** How often the heartbeat is saved. @default 5000 */
  heartbeatMs?: number;
  /**
   * Jobs claimed ahead (status `reserved`) of free slots, fixed. @default max(concurrency, 16),
   * growing with quick handlers' pace up to `PREFETCH_GROWTH` times that
   */
  prefetch?: number;
}

/** How far past its default a worker's prefetch may grow (prefetch-sizer.ts). */
const PREFETCH_GROWTH = 8;

export class TaskWorker {
  private heartbeat: TimerHandle | null = null;
  private info: WorkerInfo | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly engine: Engine,
    private readonly options: WorkerOptions,
  ) {
    if (options.tasks.length === 0) throw new Error('a worker needs at least one task');
  }

  get queues(): string[] {
    return [...new Set(this.options.queues ?? this.options.tasks.map((t) => t.queue))];
  }

  async start(): Promise<void> {
    const now = this.clock.now();
    await this.store.registerTasks(
      this.options.tasks.map((t) => ({
        name: t.name,
        version: t.version,
        description: t.description,
        queue: t.queue,
        timeoutMs: Math.round(t.timeout * 1000),
        maxRetries: t.max_retries,
        retryDelayMs: Math.round(t.retry_delay * 1000),
        isAsync: t.isAsync,
      })),
      now,
    );
    const concurrency = this.options.concurrency ?? 10;
    this.info = {
      id: this.options.id,
      hostname: hostname(),
      pid: process.pid,
      queues: this.queues,
      tasks: [...new Set(this.options.tasks.map((t) => t.name))],
      concurrency,
      startedAt: now,
      lastSeenAt: now,
      status: 'active',
    };
    await this.store.saveWorker(this.info);
    const defaultPrefetch = Math.max(concurrency, 16);
    await this.engine.addLane({
      lane: { target: 'task', queues: this.queues, tasks: this.info.tasks },
      runner: new TaskRunner(this.options.tasks),
      concurrency,
      defaultTimeoutMs: 300_000,
      exhaustedOutcome: 'failed',
      // Jobs held reserved so a quick handler finds its next job already claimed, topped up
      // when half spent: concurrency 1 went from 5,000 to 12,000 no-op jobs/s with 16. Unless
      // --prefetch fixes it, it grows with the pace of quick handlers, up to 8 times that, to
      // cover a claim's time (on PostgreSQL 2,600 -> 7,600-8,100 no-op jobs/s at concurrency 1).
      prefetch: this.options.prefetch ?? defaultPrefetch,
      prefetchCeiling: this.options.prefetch === undefined ? PREFETCH_GROWTH * defaultPrefetch : undefined,
    });
    this.scheduleHeartbeat();
  }

  private scheduleHeartbeat(): void {
    if (this.stopped) return;
    this.heartbeat = this.clock.setTimer(this.clock.now() + (this.options.heartbeatMs ?? 5000), () => {
      if (!this.info || this.stopped) return;
      this.info = { ...this.info, lastSeenAt: this.clock.now() };
      void this.store.saveWorker(this.info).catch(() => undefined).finally(() => this.scheduleHeartbeat());
    });
  }

  /** Stops the heartbeat and marks the worker stopped (the engine drains its lane). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.heartbeat?.cancel();
    if (this.info) await this.store.saveWorker({ ...this.info, lastSeenAt: this.clock.now(), status: 'stopped' }).catch(() => undefined);
  }
}
