/**
 * PostgreSQL chores shared by the PostgreSQL systems: each system lives in its
 * own `bench_*` schema, which is dropped before and after use.
 */
import pg from 'pg';

/** Runs `body` on a short-lived connection of its own. */
export async function withPostgres<T>(connectionString: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, application_name: 'chime-bench' });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Schema names are fixed identifiers in this repo; refuse anything else before quoting. */
export function quoteSchema(schema: string): string {
  if (!/^bench_[a-z0-9_]+$/.test(schema)) throw new Error(`refusing to touch schema ${schema}: not a bench_* name`);
  return `"${schema}"`;
}

export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  await withPostgres(connectionString, (client) => client.query(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`));
}

/**
 * Bytes of every table in `schema`: pg_total_relation_size covers the heap,
 * its indexes and TOAST. Partitions are tables of their own (relkind 'r'), so
 * a partitioned job table is counted through its partitions.
 */
export async function schemaSizeBytes(connectionString: string, schema: string): Promise<number> {
  return withPostgres(connectionString, async (client) => {
    const { rows } = await client.query<{ bytes: string | null }>(
      `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [schema],
    );
    return Number(rows[0]?.bytes ?? 0);
  });
}
