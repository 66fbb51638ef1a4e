import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DueSignals } from '../due-signals.js';
import { StoreAdapter } from '../store-adapter.js';
import type { OpenBackend, StoreDriver, StoreOps } from '../store-ops.js';
import type { DueSignal } from '../store.js';
import * as claims from './claims.js';
import { createConnection, durabilityWarnings, mapRedisError } from './connection.js';
import { RedisContext } from './context.js';
import * as jobCounts from './job-counts.js';
import * as jobs from './jobs.js';
import { RedisKeys } from './keys.js';
import * as leases from './leases.js';
import { migrate } from './migrate.js';
import * as outcomes from './outcomes.js';
import * as platform from './platform.js';
import * as schedules from './schedules.js';
import { defineScripts } from './scripts.js';

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  /** Every key starts with `{prefix}:`. @default 'chime' */
  prefix?: string;
  /**
   * Claims use the smaller of the caller's now and Redis TIME, so no node fires early by the
   * store's clock (`?clock=store`, the default; `?clock=local` turns it off). Tests on a
   * virtual clock in 2030 turn it off.
   * @default true
   */
  useStoreClock?: boolean;
}

/** A health probe that does not answer within this long counts as down. */
const HEALTH_TIMEOUT_MS = 1000;

interface PublishedSignals {
  from: string;
  signals: DueSignal[] | null;
}

/** The Redis store's operations: the exports of its modules, one per role. */
export const redisOps: StoreOps<RedisContext> = {
  ...{ ...schedules, ...jobs, ...claims, ...leases, ...outcomes, ...platform, ...jobCounts },
  serverTime: async (ctx) => {
    const [seconds, micros] = await ctx.call((redis) => redis.time());
    // Microseconds kept: the store-aligned clock measures the offset to a fraction of a ms.
    return Number(seconds) * 1000 + Number(micros) / 1000;
  },
};

/**
 * The Redis store: one Lua script per atomic transition (lua/), the key layout in keys.ts,
 * due signals over pub/sub on `{prefix}:due`.
 *
 * @example
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379' });
 * await store.open();
 * for (const warning of store.warnings) console.warn(warning);
 */
export class RedisStore extends StoreAdapter<RedisContext> {
  /** Redis TIME in epoch ms, with its microseconds. */
  declare readonly serverTime: () => Promise<number>;

  constructor(options: RedisStoreOptions) {
    super(redisDriver(options));
  }
}

function redisDriver(options: RedisStoreOptions): StoreDriver<RedisContext> {
  const keys = new RedisKeys(options.prefix ?? 'chime');
  return { backend: 'redis', ops: redisOps, open: (signals) => openRedis(options, keys, signals) };
}

async function openRedis(options: RedisStoreOptions, keys: RedisKeys, signals: DueSignals): Promise<OpenBackend<RedisContext>> {
  const origin = randomUUID();
  const redis = createConnection(options.url, false);
  const subscriber = createConnection(options.url, true);
  let warnings: string[];
  try {
    await Promise.all([redis.connect(), subscriber.connect()]);
    defineScripts(redis);
    await migrate(redis, keys);
    warnings = await durabilityWarnings(redis);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === keys.dueChannel) relayPublished(message, origin, signals);
    });
    await subscriber.subscribe(keys.dueChannel);
    // After an outage the subscriber may have missed signals: subscribe again and tell
    // listeners to re-read (a null signal). Registered after the first 'ready' has fired.
    subscriber.on('ready', () => {
      subscriber.subscribe(keys.dueChannel).then(
        () => signals.emit(null),
        () => {},
      );
    });
  } catch (error) {
    redis.disconnect();
    subscriber.disconnect();
    throw mapRedisError(error);
  }
  return {
    context: new RedisContext(redis, keys, origin, options.useStoreClock ?? true),
    warnings,
    health: async () => {
      if (redis.status !== 'ready') return { ok: false, detail: `connection ${redis.status}` };
      try {
        await withTimeout(redis.ping(), HEALTH_TIMEOUT_MS);
      } catch (error) {
        return { ok: false, detail: (error as Error).message };
      }
      return subscriber.status === 'ready' ? { ok: true } : { ok: true, detail: `due signals ${subscriber.status}` };
    },
    close: async () => {
      await Promise.all([quit(redis), quit(subscriber)]);
    },
  };
}

/** Hands other nodes' published signals to this node's listeners. */
function relayPublished(message: string, origin: string, signals: DueSignals): void {
  if (!signals.hasListeners) return;
  let published: PublishedSignals;
  try {
    published = JSON.parse(message) as PublishedSignals;
  } catch {
    return;
  }
  // This store's own writes already reached its listeners, straight from the script reply.
  if (published.from === origin) return;
  if (published.signals === null) signals.emit(null);
  else for (const signal of published.signals) signals.emit(signal);
}

/** QUIT when connected (replies drain first); otherwise just stop reconnecting. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
