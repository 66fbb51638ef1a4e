/** Where one Chime trial keeps its jobs (a file, a schema, a key prefix), and how to measure and drop it. */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageReport } from '../adapter.js';
import type { ServiceConfig } from '../services.js';
import { dropSchema, schemaSizeBytes } from './postgres.js';
import { connectRedis, deleteKeysWithPrefix, memoryUsageOfPrefix } from './redis.js';

export type ChimeBackend = 'sqlite' | 'postgres' | 'redis';

export interface TrialStore {
  spec: string;
  /** Set for the events variant: the broker the server publishes job events to. */
  eventsUrl?: string;
  measure(): Promise<StorageReport>;
  drop(): Promise<void>;
}

export interface TrialStorePlace {
  readonly backend: ChimeBackend;
  /** SQLite: the folder of the trial files. */
  readonly dir: string;
  /** SQLite: options of the store spec (`thread=on`). */
  readonly sqliteQuery?: string;
  /** PostgreSQL: schemas are `<schemaPrefix>_<n>`. */
  readonly schemaPrefix: string;
  /** Redis: keys are under `<redisPrefix>:<n>:`. */
  readonly redisPrefix: string;
}

/** The store of trial `n`: a fresh file, schema or key prefix. */
export function openTrialStore(services: ServiceConfig, place: TrialStorePlace, n: number): TrialStore {
  const { dir, schemaPrefix, redisPrefix } = place;
  switch (place.backend) {
    case 'sqlite': {
      const file = join(dir, `trial-${n}.db`);
      return {
        spec: `sqlite:${file}${place.sqliteQuery ? `?${place.sqliteQuery}` : ''}`,
        async measure() {
          const size = (suffix: string) => {
            try {
              return statSync(file + suffix).size;
            } catch {
              return 0;
            }
          };
          return { bytes: size('') + size('-wal'), method: 'size of the SQLite file plus its WAL', extra: { walBytes: size('-wal') } };
        },
        async drop() {
          for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
        },
      };
    }
    case 'postgres': {
      const schema = `${schemaPrefix}_${n}`;
      const url = new URL(services.postgresUrl);
      url.searchParams.set('schema', schema);
      return {
        spec: url.toString(),
        async measure() {
          return { bytes: await schemaSizeBytes(services.postgresUrl, schema), method: `pg_total_relation_size of the tables in ${schema}` };
        },
        drop: () => dropSchema(services.postgresUrl, schema),
      };
    }
    case 'redis': {
      const prefix = `${redisPrefix}:${n}`;
      return {
        spec: `redis://${services.redisHost}:${services.redisPort}?prefix=${encodeURIComponent(prefix)}`,
        async measure() {
          const redis = connectRedis(services);
          try {
            const usage = await memoryUsageOfPrefix(redis, `${prefix}:`);
            return { bytes: usage.bytes, method: `sum of MEMORY USAGE over ${usage.keys} keys under ${prefix}:`, extra: { keys: usage.keys } };
          } finally {
            redis.disconnect();
          }
        },
        async drop() {
          const redis = connectRedis(services);
          try {
            await deleteKeysWithPrefix(redis, `${prefix}:`);
          } finally {
            redis.disconnect();
          }
        },
      };
    }
  }
}
