import type { Redis } from 'ioredis';
import { chimeError } from '../../core/errors.js';
import type { RedisKeys } from './keys.js';
import { LATEST_LAYOUT, MIGRATIONS } from './migrations/index.js';

/**
 * Brings the prefix's data layout up to date. Each migration is one script that re-reads
 * the layout key before it changes anything, so nodes opening at once apply it once; it
 * returns the version it reached and is called again until that is its own (a large one
 * works in batches). Migrations run by plain EVAL: once per open, the SHA cache buys
 * nothing. Returns the versions applied.
 */
export async function migrate(redis: Redis, keys: RedisKeys): Promise<number[]> {
  const layoutKey = keys.global('layout');
  const current = Number((await redis.get(layoutKey)) ?? 0);
  if (current > LATEST_LAYOUT) {
    throw chimeError('STORE_LAYOUT_NEWER', { backend: 'Redis', where: keys.prefix, found: current, known: LATEST_LAYOUT });
  }
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    let reached = 0;
    while (reached < migration.version) {
      reached = Number(await redis.eval(migration.lua, 1, layoutKey, migration.version, keys.prefix));
    }
    applied.push(migration.version);
  }
  return applied;
}
