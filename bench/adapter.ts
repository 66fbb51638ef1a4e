/**
 * The contract between the benchmark harness and one system under test.
 *
 * A *system* is one configuration of one product: `bullmq`, `bullmq-hz100`,
 * `pg-boss`, `graphile-worker`, later `chime-sqlite`, `chime-postgres`, ...
 * The harness owns sizes, timing, repetition, statistics and reporting. An
 * adapter owns only how to talk to its system, so every system is measured by
 * the same code path and the figures stay comparable.
 *
 * ## Lifecycle
 *
 * ```text
 * setUp()                 once per bench process, before any trial
 *   openTrial()           once per measurement: a fresh, empty queue
 *     add / addBulk       store jobs (timed by the harness in `enqueue`)
 *     startWorker         start consuming; the harness may call it after
 *                         filling the queue (`process`) or before (`latency`)
 *     waitForCompletions  resolve once the system itself reports N jobs done
 *     measureStorage?     bytes the trial's jobs occupy (`storage`)
 *     measureServer?      server RSS, restart-to-ready, RSS after restart (`storage`, `scale`)
 *     startHttp?          HTTP endpoints for the load generator (`http`)
 *     startGrpc?          a Dapr gRPC address for the gRPC load generator (`grpc`)
 *   trial.close()         ALWAYS called, also after an error or timeout
 * tearDown()              once at the end, also after an error or Ctrl-C
 * ```
 *
 * Rules every adapter follows:
 *
 * 1. **Isolation.** A trial creates its own queue / schema / key prefix and
 *    `close()` deletes everything it created (jobs, queues, keys, tables) and
 *    stops its workers. `tearDown()` drops whatever `setUp()` created and
 *    closes every connection, so the process exits by itself. Redis is shared
 *    with other people: delete only keys under your own prefix, never
 *    FLUSHDB. PostgreSQL: use a dedicated `bench_*` schema.
 * 2. **Timestamps in one process.** The harness passes `onJobStart` to
 *    `startWorker`; the adapter calls it synchronously, as the first thing
 *    the system's own job handler does, in the harness process. The harness
 *    stamps it with `performance.timeOrigin + performance.now()`, the same
 *    clock it used for add times and due times. A system whose worker lives
 *    in another process must deliver the job to a handler in this process
 *    (e.g. over its client library) rather than timestamp elsewhere.
 * 3. **Handlers are no-ops.** After `onJobStart` the handler returns
 *    successfully; the harness measures the system, not the work.
 * 4. **Completion is the system's word.** `waitForCompletions(n)` resolves
 *    when the system's own bookkeeping says n jobs of this trial have
 *    completed (an event the library emits after persisting completion, or a
 *    count read from its storage), not when handlers have returned.
 * 5. **Due times are absolute.** `BenchJob.dueAtMs` is epoch milliseconds on
 *    the OS wall clock (`Date.now()`); the harness has already corrected for
 *    the offset between that clock and its own. Workloads that measure
 *    lateness (4, 5, 10, 11) give whole milliseconds, so no rounding counts
 *    as lateness; others may give fractions.
 *    Convert it to the system's notion (a delay, a `startAfter`, a `runAt`)
 *    as late as possible and as exactly as the API allows; where the API is
 *    coarser, round UP (`Math.ceil`) so rounding can never fire a job early.
 * 6. **Settings are declared.** `settings` lists every non-default option in
 *    effect, with the reason; they are printed with the results and in
 *    docs/benchmarks.md.
 *
 * ## Adding a system
 *
 * Write `bench/adapters/<system>.ts` exporting a factory that returns a
 * `SystemAdapter` (see `bullmq.ts` for a Redis system, `pg-boss.ts` or
 * `graphile-worker.ts` for PostgreSQL ones), then list it in
 * `bench/adapters/index.ts`. Declare only the workloads it really supports;
 * the harness checks that the optional methods those workloads need exist and
 * prints "n/a" for the others. Chime's adapters set `kind: 'chime'`, which
 * makes the summary table show their figures as ratios to the best peer.
 */

import type { ServerProfiler } from './server-profiler.js';

/** The workloads the harness knows; see `bench/workloads/`. */
export type WorkloadName =
  | 'enqueue'
  | 'process'
  | 'latency'
  | 'lateness'
  | 'burst'
  | 'storage'
  | 'http'
  | 'grpc'
  | 'dashboard'
  | 'sustained'
  | 'scale'
  | 'cost';

/**
 * Chime systems are compared against the best `peer` in the summary. A `baseline` is not a
 * scheduler but a floor measured in the same run (a plain sender to the same receiver): it
 * shows in the tables and is left out of the summary's ratios.
 */
export type SystemKind = 'chime' | 'peer' | 'baseline';

/** One job the harness asks a system to store. The payload is up to the adapter. */
export interface BenchJob {
  /** 0-based, unique within a trial; hand it back through `onJobStart`. */
  readonly index: number;
  /** When the job is due, in epoch milliseconds; absent means "run now". */
  readonly dueAtMs?: number;
}

/**
 * Called by the adapter's job handler, synchronously, as its first statement,
 * with the index of the job it received.
 */
export type JobStartListener = (index: number) => void;

export interface WorkerSettings {
  /** Maximum number of handlers running at the same time. */
  readonly concurrency: number;
}

export interface StorageReport {
  /** Bytes the system's storage uses for this trial (jobs plus its own tables/keys). */
  readonly bytes: number;
  /** How `bytes` was obtained, shown in the report (e.g. "sum of MEMORY USAGE"). */
  readonly method: string;
  /** Secondary measurements, e.g. `usedMemoryBytes` from Redis INFO. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** Only for systems that run a server process of their own. */
export interface ServerReport {
  /** Resident set size of the server process with the trial's jobs loaded. */
  readonly rssBytes: number;
  /** From asking the server to stop until it answers its readiness check again. */
  readonly restartToReadyMs: number;
  /**
   * Resident set size a few seconds after that restart: what keeping the jobs costs, without
   * the garbage and the grown heap their insert left behind.
   */
  readonly restartedRssBytes: number;
}

/**
 * One HTTP request shape. In `path` and `body`, every `{i}` is replaced by the
 * request's index (0..n-1), so `create` can make job i and `get` can read it.
 */
export interface HttpRequestTemplate {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * What the `http` workload drives. The harness runs `create` for i = 0..n-1
 * first, then `get` and `list` with the same n, each from a separate load
 * generator process.
 */
export interface HttpTarget {
  /** Scheme, host and port, e.g. `http://127.0.0.1:4100`. */
  readonly origin: string;
  readonly create: HttpRequestTemplate;
  readonly get: HttpRequestTemplate;
  readonly list: HttpRequestTemplate;
  /** A bearer token for the system's authenticated API (Chime's /api/v1), where it has one. */
  readonly token?: string;
}

/**
 * The receiver a callback system delivers to, as a request a plain sender can repeat (`{i}`
 * replaced by the request's index): what the raw HTTP ceiling in `burst` posts to.
 */
export interface CallbackReceiverTarget extends HttpRequestTemplate {
  /** Scheme, host and port of the receiver. */
  readonly origin: string;
}

/** What the `grpc` workload drives: a Dapr gRPC API (dapr.proto.runtime.v1.Dapr). */
export interface GrpcTarget {
  /** host:port, as a gRPC client dials it. */
  readonly address: string;
}

/** One measurement's worth of a system: a fresh, empty queue. */
export interface BenchTrial {
  /** Store one job with the system's single-job API. */
  add(job: BenchJob): Promise<void>;
  /**
   * Store jobs with the system's bulk API in one call. The harness never
   * passes more than `SystemAdapter.bulkBatchSize` jobs at once.
   */
  addBulk(jobs: readonly BenchJob[]): Promise<void>;
  /** Start consuming this trial's jobs; resolve once the worker is running. */
  startWorker(onJobStart: JobStartListener, settings: WorkerSettings): Promise<void>;
  /**
   * Resolve once the system reports `count` jobs of this trial completed
   * (rule 4). Reject with the signal's reason when it aborts.
   */
  waitForCompletions(count: number, signal: AbortSignal): Promise<void>;
  /** Required by `storage`. */
  measureStorage?(): Promise<StorageReport>;
  /** Optional in `storage`; systems without a server leave it out ("n/a"). */
  measureServer?(): Promise<ServerReport>;
  /** Required by `http`. */
  startHttp?(): Promise<HttpTarget>;
  /** Required by `grpc`. */
  startGrpc?(): Promise<GrpcTarget>;
  /**
   * Optional in `burst`: systems that deliver by HTTP callback to a receiver in this process
   * return it, before `startWorker`, so the raw HTTP ceiling is measured against it. Requests
   * sent to it before `startWorker` are answered and not reported to `onJobStart`.
   */
  callbackReceiver?(): Promise<CallbackReceiverTarget>;
  /**
   * Required by `scale`: how long each claim of due jobs took so far, in ms, in the order
   * made (a growing list; the workload reads the part added during its measurement).
   */
  claimTimesMs?(): readonly number[];
  /**
   * Optional in `burst`: CPU seconds the system's server process has used so far (user +
   * system), for the server's CPU per job. Systems without a server of their own leave it out.
   */
  serverCpuSeconds?(): number;
  /** Required by `cost`: a profiler on the server process, to start once the jobs are in. */
  profileServer?(): Promise<ServerProfiler>;
  /** Stop workers, delete everything this trial created (rule 1). */
  close(): Promise<void>;
}

export interface SystemAdapter {
  /** Unique, kebab-case; used by `--only` and as the table row label. */
  readonly name: string;
  readonly kind: SystemKind;
  /** Product name, e.g. "BullMQ". */
  readonly product: string;
  /** Library version actually loaded; known after `setUp()`. */
  version(): string;
  /** Every setting in effect that differs from the product defaults, with why. */
  readonly settings: readonly string[];
  /** Workloads this system takes part in; the rest print "n/a". */
  readonly workloads: ReadonlySet<WorkloadName>;
  /** Largest batch for `addBulk`: the system's natural batch, or 1,000. */
  readonly bulkBatchSize: number;
  /** Connect, migrate, sweep leftovers of a crashed earlier run. */
  setUp(): Promise<void>;
  openTrial(): Promise<BenchTrial>;
  /** Drop everything `setUp()` created and close all connections. */
  tearDown(): Promise<void>;
}
