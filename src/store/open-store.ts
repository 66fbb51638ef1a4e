/**
 * Opens the store a `--store` value names. Backends load lazily: a SQLite user never loads
 * `pg` or `ioredis`.
 */
import { chimeError } from '../core/errors.js';
import type { PostgresStoreOptions } from './postgres/index.js';
import type { RedisStoreOptions } from './redis/index.js';
import type { SqliteStoreOptions } from './sqlite/store.js';
import type { Store, StoreBackend } from './store.js';

/** Which backend a `--store` value names: a postgres:// or redis:// URL, else a SQLite path. */
export function storeKind(spec: string): StoreBackend {
  if (/^postgres(ql)?:\/\//i.test(spec)) return 'postgres';
  if (/^rediss?:\/\//i.test(spec)) return 'redis';
  return 'sqlite';
}

/**
 * `sqlite:./x.db`, `sqlite:///abs/x.db`, or a plain path, with an optional
 * `?synchronous=full` (fsync every commit: survives power loss, not only a process crash)
 * and `?thread=on` (the store's work on a worker thread, off the event loop: sqlite/thread.ts).
 */
export function sqliteOptions(spec: string): SqliteStoreOptions {
  let rest = spec;
  if (rest.startsWith('sqlite://')) rest = rest.slice('sqlite://'.length) || ':memory:';
  else if (rest.startsWith('sqlite:')) rest = rest.slice('sqlite:'.length);
  const [path, query] = rest.split('?', 2) as [string, string | undefined];
  const params = new URLSearchParams(query ?? '');
  const synchronous = params.get('synchronous') ?? 'normal';
  if (synchronous !== 'normal' && synchronous !== 'full') {
    throw chimeError('STORE_OPTION_INVALID', { option: 'synchronous', allowed: 'normal or full', value: synchronous });
  }
  const thread = params.get('thread') ?? 'off';
  if (thread !== 'on' && thread !== 'off') {
    throw chimeError('STORE_OPTION_INVALID', { option: 'thread', allowed: 'on or off', value: thread });
  }
  for (const key of params.keys()) {
    if (key !== 'synchronous' && key !== 'thread') throw chimeError('STORE_OPTION_UNKNOWN', { backend: 'SQLite', option: key });
  }
  return { path, synchronous, ...(thread === 'on' ? { thread: true } : {}) };
}

/**
 * `?clock=local` trusts this node's clock instead of capping "now" at the store server's
 * (for tests on a virtual clock, or when every node's clock is known to be good).
 */
function readClockParam(params: URLSearchParams): boolean {
  const clock = params.get('clock') ?? 'store';
  params.delete('clock');
  if (clock !== 'store' && clock !== 'local') {
    throw chimeError('STORE_OPTION_INVALID', { option: 'clock', allowed: 'store or local', value: clock });
  }
  return clock === 'store';
}

/**
 * `postgres://user@host:5432/db?schema=chime&pool=10`: `schema` lets several deployments
 * share a database (default `chime`), `pool` sizes the connection pool (default 10); other
 * parameters go to the driver untouched.
 */
export function postgresOptions(spec: string): PostgresStoreOptions {
  const url = new URL(spec);
  const schema = url.searchParams.get('schema') ?? 'chime';
  const pool = url.searchParams.get('pool');
  const useStoreClock = readClockParam(url.searchParams);
  url.searchParams.delete('schema');
  url.searchParams.delete('pool');
  const poolSize = pool === null ? 10 : Number(pool);
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
    throw chimeError('STORE_OPTION_RANGE', { option: 'pool', range: 'an integer from 1 to 1000' });
  }
  return { connectionString: url.toString(), schema, poolSize, useStoreClock };
}

/** `redis://host:6379/0?prefix=chime`: every key starts with `{prefix}:` (default `chime`). */
export function redisOptions(spec: string): RedisStoreOptions {
  const url = new URL(spec);
  const prefix = url.searchParams.get('prefix') ?? 'chime';
  const useStoreClock = readClockParam(url.searchParams);
  url.searchParams.delete('prefix');
  return { url: url.toString(), prefix, useStoreClock };
}

export async function createStore(spec: string): Promise<Store> {
  switch (storeKind(spec)) {
    case 'sqlite': {
      const options = sqliteOptions(spec);
      if (options.thread) {
        const { ThreadedSqliteStore } = await import('./sqlite/thread.js');
        return new ThreadedSqliteStore(options);
      }
      const { createSqliteStore } = await import('./sqlite/index.js');
      return createSqliteStore(options);
    }
    case 'postgres': {
      const { createPostgresStore } = await import('./postgres/index.js');
      return createPostgresStore(postgresOptions(spec));
    }
    case 'redis': {
      const { createRedisStore } = await import('./redis/index.js');
      return createRedisStore(redisOptions(spec));
    }
  }
}

/** The store spec without its password, for logs. */
export function redactStoreSpec(spec: string): string {
  if (storeKind(spec) === 'sqlite') return spec;
  try {
    const url = new URL(spec);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return spec.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}
