import type { DueSignals } from '../due-signals.js';
import { StoreAdapter } from '../store-adapter.js';
import type { OpenBackend, StoreDriver, StoreOps } from '../store-ops.js';
import * as claims from './claims.js';
import { PgDatabase } from './context.js';
import { DueListener } from './due-channel.js';
import { mapPgError } from './errors.js';
import * as jobCounts from './job-counts.js';
import * as jobs from './jobs.js';
import * as leases from './leases.js';
import { migrate } from './migrate.js';
import { resolvePostgresOptions, type PostgresStoreOptions } from './options.js';
import * as outcomes from './outcomes.js';
import * as platform from './platform.js';
import * as schedules from './schedules.js';

/** The PostgreSQL store's operations: the exports of its modules, one per role. */
export const postgresOps: StoreOps<PgDatabase> = {
  ...{ ...schedules, ...jobs, ...claims, ...leases, ...outcomes, ...platform, ...jobCounts },
  serverTime: async (db) => {
    // Microseconds kept: the store-aligned clock measures the offset to a fraction of a ms.
    const [row] = await db.query<{ now: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now');
    return row!.now;
  },
};

/**
 * The store for several nodes sharing one PostgreSQL database: claims with
 * `FOR UPDATE SKIP LOCKED`, uniqueness in constraints, LISTEN/NOTIFY for new due work.
 * Every write that makes work due NOTIFYs inside its own transaction and also signals this
 * node's listeners directly once it commits; the LISTEN side skips its own echoes.
 */
export class PostgresStore extends StoreAdapter<PgDatabase> {
  /** `clock_timestamp()` in epoch ms, with its microseconds. */
  declare readonly serverTime: () => Promise<number>;

  constructor(options: PostgresStoreOptions) {
    super(postgresDriver(options));
  }
}

function postgresDriver(options: PostgresStoreOptions): StoreDriver<PgDatabase> {
  const resolved = resolvePostgresOptions(options);
  return {
    backend: 'postgres',
    ops: postgresOps,
    open: async (signals: DueSignals): Promise<OpenBackend<PgDatabase>> => {
      const db = new PgDatabase(resolved);
      const listener = new DueListener({
        clientConfig: db.clientConfig(),
        channel: resolved.channel,
        origin: db.origin,
        onSignal: (signal) => signals.emit(signal),
      });
      try {
        await migrate(db, Date.now());
        await listener.start().catch((error: unknown) => {
          throw mapPgError(error);
        });
      } catch (error) {
        await listener.stop();
        await db.end();
        throw error;
      }
      return {
        context: db,
        health: async () => {
          try {
            await db.query('SELECT 1');
          } catch (error) {
            return { ok: false, detail: error instanceof Error ? error.message : String(error) };
          }
          return listener.connected ? { ok: true } : { ok: true, detail: 'notification listener reconnecting' };
        },
        close: async () => {
          await listener.stop();
          await db.end();
        },
      };
    },
  };
}
