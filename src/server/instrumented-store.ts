/**
 * One decorator over the `Store` contract that times every operation and counts its failures
 * (metrics), so no backend carries instrumentation of its own. `start-server` applies it when
 * metrics are on; off, the store is used bare.
 */
import type { ClaimRequest, Store } from '../store/store.js';

/** The contract's asynchronous operations; each becomes an `operation` label value. */
export const STORE_OPERATIONS = [
  'health',
  'serverTime',
  'createSchedule',
  'getSchedule',
  'getScheduleByName',
  'listSchedules',
  'updateSchedule',
  'deleteSchedule',
  'insertJobs',
  'getJob',
  'listJobs',
  'cancelJob',
  'retryJob',
  'peekDueTimes',
  'claimDue',
  'extendLeases',
  'recordOutcomes',
  'releaseLeases',
  'reapExpiredLeases',
  'cancelRequested',
  'startJobs',
  'listQueues',
  'setQueuePaused',
  'setQueueConcurrency',
  'clearQueue',
  'registerTasks',
  'listTasks',
  'getTask',
  'saveWorker',
  'listWorkers',
  'jobStats',
  'jobCounts',
  'callbackScheduleCounts',
  'listHistory',
  'purgeFinished',
] as const satisfies readonly (keyof Store)[];

export type StoreOperation = (typeof STORE_OPERATIONS)[number];

export interface StoreObserver {
  /** Every operation, once it settled: how long it took and whether it failed. */
  operation(name: StoreOperation, seconds: number, failed: boolean): void;
  /** Jobs a claim took, by lane target. */
  claimed(lane: ClaimRequest['lane']['target'], count: number): void;
}

export function instrumentStore(store: Store, observer: StoreObserver): Store {
  const wrapped = new Map<PropertyKey, unknown>();
  for (const name of STORE_OPERATIONS) {
    const method = store[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof method !== 'function') continue;
    wrapped.set(name, async (...args: unknown[]) => {
      const started = performance.now();
      try {
        const result = await method.apply(store, args);
        observer.operation(name, (performance.now() - started) / 1000, false);
        if (name === 'claimDue') observer.claimed((args[0] as ClaimRequest).lane.target, (result as unknown[]).length);
        return result;
      } catch (error) {
        observer.operation(name, (performance.now() - started) / 1000, true);
        throw error;
      }
    });
  }
  return new Proxy(store, {
    get(target, property) {
      if (wrapped.has(property)) return wrapped.get(property);
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      // open, close, onDue: bound once, called on the real store.
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      wrapped.set(property, bound);
      return bound;
    },
  });
}
