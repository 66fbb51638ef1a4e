/**
 * Redis chores for Redis systems. The server is shared with other people's
 * tests, so everything here is scoped to a key prefix: never FLUSHDB.
 */
import { Redis } from 'ioredis';
import type { ServiceConfig } from '../services.js';

const SCAN_BATCH = 1_000;

export function connectRedis(services: ServiceConfig): Redis {
  return new Redis({ host: services.redisHost, port: services.redisPort, lazyConnect: false, maxRetriesPerRequest: 3 });
}

/** Glob-escapes a literal prefix so `MATCH` cannot reach other people's keys. */
function matchPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (character) => `\\${character}`)}*`;
}

async function forEachKeyBatch(redis: Redis, prefix: string, body: (keys: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', matchPattern(prefix), 'COUNT', SCAN_BATCH);
    cursor = nextCursor;
    if (keys.length > 0) await body(keys);
  } while (cursor !== '0');
}

/** Deletes every key starting with `prefix` (UNLINK: freed off the main thread). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  await forEachKeyBatch(redis, prefix, async (keys) => {
    deleted += await redis.unlink(...keys);
  });
  return deleted;
}

/**
 * Sum of `MEMORY USAGE key SAMPLES 0` (exact, every element counted) over the
 * keys starting with `prefix`, and how many keys there were.
 */
export async function memoryUsageOfPrefix(redis: Redis, prefix: string): Promise<{ bytes: number; keys: number }> {
  let bytes = 0;
  let keys = 0;
  await forEachKeyBatch(redis, prefix, async (batch) => {
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    for (const [error, usage] of (await pipeline.exec()) ?? []) {
      if (!error && typeof usage === 'number') bytes += usage;
    }
    keys += batch.length;
  });
  return { bytes, keys };
}

/** `used_memory` from INFO: the whole server, so other people's keys move it too. */
export async function usedMemoryBytes(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  return match ? Number(match[1]) : Number.NaN;
}

export async function getRedisHz(redis: Redis): Promise<number> {
  const [, value] = (await redis.config('GET', 'hz')) as [string, string];
  return Number(value);
}

export async function setRedisHz(redis: Redis, hz: number): Promise<void> {
  await redis.config('SET', 'hz', String(hz));
}
