import { RedisStore, type RedisStoreOptions } from './store.js';

export type { RedisStoreOptions } from './store.js';
export { RedisStore } from './store.js';

/**
 * @example
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix: 'chime' });
 * await store.open();
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options);
}
