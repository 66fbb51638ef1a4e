/**
 * Which store the engine, platform and HTTP suites run on: `CHIME_TEST_STORE` = sqlite
 * (default), sqlite-thread (the SQLite store on its own thread), postgres or redis. vitest.config.ts runs those suites once per backend.
 * Every spec is fresh and isolated (a file, a schema, a key prefix) and dropped after the
 * test file.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { tempDbPath } from './temp.js';

export type TestBackend = 'sqlite' | 'sqlite-thread' | 'postgres' | 'redis';
export const TEST_BACKEND = (process.env.CHIME_TEST_STORE ?? 'sqlite') as TestBackend;
export const POSTGRES_URL = process.env.CHIME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.CHIME_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const schemas: string[] = [];
const prefixes: string[] = [];

/**
 * A new, empty store for one test server (or for several sharing it). `clock=local` by
 * default: the suites run on a virtual clock in 2030, which the store server's clock must not
 * cap. Multi-node tests on wall time keep the store clock (`storeClock: true`).
 */
export function freshStoreSpec(backend: TestBackend = TEST_BACKEND, options: { storeClock?: boolean } = {}): string {
  const suffix = randomBytes(5).toString('hex');
  const clock = options.storeClock ? '' : '&clock=local';
  switch (backend) {
    case 'postgres': {
      const schema = `chime_t_${suffix}`;
      schemas.push(schema);
      return `${POSTGRES_URL}?schema=${schema}&pool=4${clock}`;
    }
    case 'redis': {
      const prefix = `chime-t-${suffix}`;
      prefixes.push(prefix);
      return `${REDIS_URL}?prefix=${prefix}${clock}`;
    }
    case 'sqlite-thread':
      return `sqlite:${tempDbPath()}?thread=on`;
    default:
      return `sqlite:${tempDbPath()}`;
  }
}

/** Drops every schema and key prefix this test file created. */
export async function dropCreatedStores(): Promise<void> {
  if (schemas.length > 0) {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  }
  if (prefixes.length > 0) {
    const redis = new Redis(REDIS_URL);
    try {
      for (const prefix of prefixes.splice(0)) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
    } finally {
      redis.disconnect();
    }
  }
}
