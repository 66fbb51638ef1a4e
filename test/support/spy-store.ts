/**
 * A real SQLite store (a fresh file) wrapped for the runtime's unit tests: it records the
 * calls the runtime makes, fails chosen methods on demand (the store is "down"), and can
 * drop or forge due signals (a signal lost in a reconnect, another process's write).
 */
import { ChimeError } from '../../src/core/errors.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { DueSignal, Store } from '../../src/store/store.js';
import { tempDbPath } from './temp.js';

type Listener = (signal: DueSignal | null) => void;
type StoreMethod = Exclude<{ [K in keyof Store]-?: Store[K] extends (...args: never[]) => unknown ? K : never }[keyof Store], undefined>;

export interface SpyStore {
  /** The wrapped store, to hand to the code under test. */
  store: Store;
  /** The real store underneath, for arranging data without it being counted. */
  inner: Store;
  /** Arguments of each call made through `store`, per method, in order (failed calls too). */
  calls: Map<string, unknown[][]>;
  /** The methods called through `store`, in call order. */
  order: string[];
  /** Methods that fail with STORE_UNAVAILABLE (added, removed by the test). */
  failing: Set<StoreMethod>;
  /** While true, the real store's due signals are not passed on. */
  dropSignals: boolean;
  /** Sends a signal to the listeners of `store.onDue` as if the store had. */
  signal(signal: DueSignal | null): void;
  /** How many listeners `store.onDue` has now. */
  readonly listening: number;
  /** How many calls `method` got. */
  count(method: StoreMethod): number;
  close(): Promise<void>;
}

/** Opens a fresh SQLite store in a temporary directory and wraps it. */
export async function openSpyStore(): Promise<SpyStore> {
  const inner = createSqliteStore({ path: tempDbPath() });
  await inner.open();
  const listeners = new Set<Listener>();
  const calls = new Map<string, unknown[][]>();
  const spy: SpyStore = {
    inner,
    calls,
    order: [],
    failing: new Set(),
    dropSignals: false,
    store: null as unknown as Store,
    signal: (signal) => {
      for (const listener of listeners) listener(signal);
    },
    get listening() {
      return listeners.size;
    },
    count: (method) => calls.get(method)?.length ?? 0,
    close: () => inner.close(),
  };
  const unsubscribe = inner.onDue((signal) => {
    if (!spy.dropSignals) spy.signal(signal);
  });
  spy.close = async () => {
    unsubscribe();
    await inner.close();
  };
  spy.store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'onDue') {
        return (listener: Listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const seen = calls.get(property) ?? [];
        seen.push(args);
        calls.set(property, seen);
        spy.order.push(property);
        if (spy.failing.has(property as StoreMethod)) {
          return Promise.reject(new ChimeError('STORE_UNAVAILABLE', `${property} failed: the store is down (test)`));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return spy;
}
