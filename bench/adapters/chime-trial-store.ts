/** Where one Chime trial keeps its jobs (a file, a schema, a key prefix), and how to measure and drop it. */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageReport } from '../adapter.js';
import type { ServiceConfig } from '../services.js';
import { dropSchema, schemaSizeBytes } from './postgres.js';
import { connectRedis, deleteKeysWithPrefix, memoryUsageOfPrefix } from './redis.js';

export type ChimeBackend = 'sqlite' | 'postgres' | 'redis';

/** Removes a SQLite database and the files Chime and SQLite keep beside it (the `-due` doorbell included). */
export function removeSqliteFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-due']) rmSync(file + suffix, { force: true });
}

/** The server's default WAL limit (`walLimitMiB`): a WAL grown past it is truncated once the store is quiet. */
const WAL_LIMIT_BYTES = 64 * 1024 * 1024;
/** The file and its WAL count as at rest once neither has changed size for this long... */
const AT_REST_AFTER_MS = 2_000;
/** ...or after this long, whatever they do. */
const AT_REST_WAIT_MAX_MS = 30_000;
const SIZE_POLL_MS = 250;

/**
 * Sizes of the SQLite file and its WAL once the server's checkpointer has done with them:
 * right after an insert most of it is still only in the WAL (copied into the file on the
 * next 1 s tick, the WAL file kept for reuse), and a WAL grown past the limit is truncated
 * after 5 quiet seconds. What keeping the jobs costs is the disk at rest.
 */
async function sizesAtRest(file: string): Promise<{ dbBytes: number; walBytes: number }> {
  const size = (suffix: string) => statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0;
  const deadline = Date.now() + AT_REST_WAIT_MAX_MS;
  let last = { dbBytes: size(''), walBytes: size('-wal') };
  let unchangedSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, SIZE_POLL_MS));
    const now = { dbBytes: size(''), walBytes: size('-wal') };
    if (now.dbBytes !== last.dbBytes || now.walBytes !== last.walBytes) unchangedSince = Date.now();
    last = now;
    if (Date.now() - unchangedSince >= AT_REST_AFTER_MS && now.walBytes <= WAL_LIMIT_BYTES) break;
  }
  return last;
}

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
          const { dbBytes, walBytes } = await sizesAtRest(file);
          return { bytes: dbBytes + walBytes, method: 'size of the SQLite file plus its WAL, at rest', extra: { walBytes } };
        },
        async drop() {
          removeSqliteFiles(file);
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
