/**
 * What the turn batchers (insert-jobs.ts, create-schedules.ts) need of the database. Declared
 * apart from `PgDatabase`, which owns the batchers, so neither imports the other.
 */

/**
 * Where a statement or transaction runs. `genericPlans`: on the claim connections, whose
 * sessions plan prepared statements generically and without JIT (`plan_cache_mode =
 * force_generic_plan`, `jit = off`). Under the default (`auto`) PostgreSQL planned the
 * claim's statements afresh on every run, as their generic plans' estimates came out dearer
 * than the custom ones: a claim beside a million future jobs went from 2.63 to 1.84 ms (p50)
 * without it. Those dearer estimates also pass `jit_above_cost`, and JIT compiling the claim
 * took 336 ms a run there, hence `jit = off` (docs/benchmarks.md, "PostgreSQL: the claim
 * planned once"). The settings are the session's, not `SET LOCAL` in each transaction, so a
 * claim can run as one statement without a transaction block: one round trip instead of
 * three ("PostgreSQL: a claim in one round trip"). Only for statements written to plan well
 * without their parameter values (see claims.ts).
 */
interface PlanOptions {
  /** @default false */
  genericPlans?: boolean;
}

export interface QueryOptions extends PlanOptions {
  /**
   * Run as a named prepared statement (parsed once per connection; after five runs
   * PostgreSQL may reuse a generic plan, so hot statements are written to plan well without
   * their parameter values: see claims.ts). Off for SQL built from optional filters, whose
   * variants would pile up on every connection.
   * @default true
   */
  prepare?: boolean;
}

export type TransactionOptions = PlanOptions;

/** Something that runs one statement: the pool (autocommit) or an open transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, values?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
}

/** The database as the batchers see it: statements, transactions and the schema's names. */
export interface PgSession extends Queryable {
  /** The quoted schema, to prefix table names: `${db.s}.jobs`. */
  readonly s: string;
  /** The NOTIFY channel of the schema. */
  readonly channel: string;
  /** Tags this store's notifications, so its own listener skips its own echo. */
  readonly origin: string;
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
}
