/**
 * What a backend provides: its operations over its own context, and how to open one. The
 * `Store` contract is implemented once, over any backend, by `store-adapter.ts`; a backend
 * never implements `Store` itself. Adding a `Store` method: declare it in `store.ts`, add one
 * line to the adapter, and export a function of that name from each backend's module for
 * that role (`schedules.ts`, `jobs.ts`, `claims.ts`, `leases.ts`, `outcomes.ts`, ...).
 */
import type { DueSignals } from './due-signals.js';
import type { DueSignal, Store, StoreBackend, StoreHealth } from './store.js';

/** A write's value and the due signals it made; the adapter hands the signals to listeners. */
export interface Written<T> {
  value: T;
  signals: DueSignal[];
}

/**
 * Operations whose writes can make work due. A backend returns their signals (a void one
 * returns only its signals) and never emits them itself: the adapter does, once the write
 * has committed.
 */
export type SignallingOperation =
  | 'createSchedule'
  | 'updateSchedule'
  | 'insertJobs'
  | 'cancelJob'
  | 'retryJob'
  | 'claimDue'
  | 'recordOutcomes'
  | 'releaseLeases'
  | 'reapExpiredLeases';

/** The `Store` methods a backend provides as operations (the rest the adapter owns). */
export type OperationName = Exclude<keyof Store, 'backend' | 'warnings' | 'open' | 'close' | 'health' | 'serverTime' | 'onDue'>;

type Result<K extends OperationName, R> = K extends SignallingOperation ? ([R] extends [void] ? DueSignal[] : Written<R>) : R;

/**
 * One function per operation, taking the backend's open context first, then the `Store`
 * method's arguments. A synchronous backend (SQLite) may return plain values.
 */
export type StoreOps<C> = {
  [K in OperationName]: Store[K] extends (...args: infer A) => Promise<infer R>
    ? (ctx: C, ...args: A) => Result<K, R> | Promise<Result<K, R>>
    : never;
} & {
  /** The store server's clock (epoch ms, fractional), where the backend has one (see `Store.serverTime`). */
  serverTime?: (ctx: C) => Promise<number>;
};

/** An open backend: its context and the lifecycle around it. */
export interface OpenBackend<C> {
  readonly context: C;
  /** Durability risks found at open (see `Store.warnings`). */
  readonly warnings?: readonly string[];
  /** Whether the backend answers now; `detail` says what is degraded or why it is down. */
  health(): Promise<Omit<StoreHealth, 'backend'>>;
  /** Releases connections, listeners and workers. Called once. */
  close(): Promise<void>;
}

/** A backend as the adapter sees it: its name, its operations and how to open it. */
export interface StoreDriver<C> {
  readonly backend: StoreBackend;
  readonly ops: StoreOps<C>;
  /**
   * Connects and runs pending migrations. `signals` receives what other nodes or processes
   * made due (a pub/sub channel, LISTEN/NOTIFY, a peer's commit to a shared file).
   */
  open(signals: DueSignals): Promise<OpenBackend<C>>;
}
