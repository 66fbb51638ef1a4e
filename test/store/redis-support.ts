/** Shared helpers of the Redis store tests: unique prefixes and cleanup of their keys only. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisContext } from '../../src/store/redis/context.js';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '../../src/store/redis/index.js';
import { RedisKeys } from '../../src/store/redis/keys.js';
import { defineScripts } from '../../src/store/redis/scripts.js';

import { REDIS_URL } from '../support/store-backend.js';

export { REDIS_URL };

const prefixes = new Set<string>();

export function uniquePrefix(): string {
  const prefix = `chime-test-${randomUUID().slice(0, 8)}`;
  prefixes.add(prefix);
  return prefix;
}

export function testStore(options: Partial<RedisStoreOptions> = {}): RedisStore {
  return createRedisStore({ url: REDIS_URL, prefix: uniquePrefix(), useStoreClock: false, ...options });
}

/** Deletes the keys of one prefix (SCAN MATCH prefix:*), never anyone else's. */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Deletes the keys of every prefix handed out by this test file. */
export async function deleteTestPrefixes(): Promise<void> {
  for (const prefix of prefixes) await deletePrefix(prefix);
  prefixes.clear();
}

/**
 * A bare script runner on its own connection, for playing a node that dies half-way:
 * tests call single steps (claims.leaseDue) with it and never the rest.
 */
export async function rawContext(prefix: string, url = REDIS_URL): Promise<{ ctx: RedisContext; close: () => void }> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  defineScripts(redis);
  const ctx = new RedisContext(redis, new RedisKeys(prefix), `raw-${randomUUID()}`, false);
  return { ctx, close: () => redis.disconnect() };
}
