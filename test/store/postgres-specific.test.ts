/**
 * What only the PostgreSQL store has to prove: migrations racing from several nodes, NOTIFY
 * between store instances, claims from several stores on one table, which claims take one
 * statement, the database clock as a claim bound, and failing fast when the server cannot be
 * reached.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { PgDatabase, type Queryable, type TransactionOptions } from '../../src/store/postgres/context.js';
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/index.js';
import { MIGRATIONS } from '../../src/store/postgres/migrate.js';
import type { DueSignal, Lane } from '../../src/store/store.js';
import { T0, everyPlan, firstJob, newJob, newSchedule, noNext, taskTemplate } from '../support/fixtures.js';
import { expectSameMachineClock } from '../support/same-machine-clock.js';
import { POSTGRES_URL } from '../support/store-backend.js';

const CONNECTION = POSTGRES_URL;
const TASKS: Lane = { target: 'task', queues: ['default'], tasks: ['process_data'] };
const schemas = new Set<string>();
/** PgDatabase's private transaction step, wrapped by a test to see a transaction's statements. */
type TransactionOnce = (fn: (tx: Queryable) => Promise<unknown>, options: TransactionOptions) => Promise<unknown>;
const opened: PostgresStore[] = [];

function newSchema(): string {
  const schema = `chime_t_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  return schema;
}

function store(schema: string, options: Partial<PostgresStoreOptions> = {}): PostgresStore {
  const created = createPostgresStore({ connectionString: CONNECTION, schema, useStoreClock: false, ...options });
  opened.push(created);
  return created;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: CONNECTION });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await admin(async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
});

describe('PostgreSQL store', () => {
  it('applies each migration once when several nodes open one new schema at once', async () => {
    const schema = newSchema();
    const nodes = Array.from({ length: 4 }, () => store(schema));
    await Promise.all(nodes.map((node) => node.open()));
    const rows = await admin((client) => client.query(`SELECT version FROM "${schema}".chime_migrations ORDER BY version`));
    expect(rows.rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    // Every node works against the one set of tables.
    await nodes[0]!.insertJobs([newJob()]);
    expect((await nodes[3]!.listJobs({ limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).total).toBe(1);
  });

  it('keeps one index of the claimed slice, by queue then lease end (migration 012)', async () => {
    const schema = newSchema();
    await store(schema).open();
    const rows = await admin((client) =>
      client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'jobs' AND indexname LIKE 'jobs_leased%'`, [schema]),
    );
    // Every index of `jobs` costs each claim an entry (a claim is a non-HOT update).
    expect(rows.rows.map((row) => row.indexname)).toEqual(['jobs_leased']);
    expect(rows.rows[0].indexdef).toMatch(/\(queue, lease_until\) WHERE \(status = ANY \(ARRAY\['reserved'::text, 'running'::text\]\)\)/);
  });

  it('indexes the dead letters alone and the v1 jobs alone, and no job by target (migrations 013, 014)', async () => {
    const schema = newSchema();
    await store(schema).open();
    const rows = await admin((client) =>
      client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'jobs' ORDER BY indexname`, [schema]),
    );
    const names = rows.rows.map((row) => row.indexname);
    // Every index holding every job costs each claim and each outcome an entry.
    expect(names).not.toContain('jobs_target_created');
    expect(names).not.toContain('jobs_dialect_created');
    const v1 = rows.rows.find((row) => row.indexname === 'jobs_v1_created');
    expect(v1?.indexdef).toMatch(/\(created_at NULLS FIRST, id\) WHERE \(dialect = 'v1'::text\)/);
    const dead = rows.rows.find((row) => row.indexname === 'jobs_dead_letters');
    expect(dead?.indexdef).toMatch(/\(completed_at NULLS FIRST, id\) WHERE \(\(target = 'callback'::text\) AND \(status = ANY \(ARRAY\['failed'::text, 'timeout'::text\]\)\)\)/);
  });

  it('reads the list indexes, built ascending (migration 015), newest first backward and oldest first forward, with no sort', async () => {
    const schema = newSchema();
    await store(schema).open();
    const plan = (sql: string) =>
      admin(async (client) => {
        await client.query('SET enable_seqscan = off');
        const { rows } = await client.query(`EXPLAIN ${sql}`);
        return rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
      });
    const v1 = `SELECT * FROM "${schema}".jobs WHERE dialect = 'v1'`;
    const dead = `SELECT * FROM "${schema}".jobs WHERE target = 'callback' AND status IN ('failed', 'timeout')`;
    for (const [sql, index] of [
      [v1, 'jobs_v1_created'],
      [dead, 'jobs_dead_letters'],
    ] as const) {
      const column = index === 'jobs_v1_created' ? 'created_at' : 'completed_at';
      const newest = await plan(`${sql} ORDER BY ${column} DESC NULLS LAST, id DESC LIMIT 10`);
      expect(newest).toContain(`Index Scan Backward using ${index}`);
      expect(newest).not.toMatch(/Sort/);
      const oldest = await plan(`${sql} ORDER BY ${column} ASC NULLS FIRST, id ASC LIMIT 10`);
      expect(oldest).toMatch(new RegExp(`Index Scan using ${index}`));
      expect(oldest).not.toMatch(/Sort/);
    }
  });

  it('rebuilds the newest-first list indexes ascending when migration 015 runs, and lists the same', async () => {
    const schema = newSchema();
    const before = store(schema);
    await before.open();
    const jobs = Array.from({ length: 5 }, (_, i) => newJob({ createdAt: T0 + (i % 2) * 10 }));
    await before.insertJobs(jobs);
    await before.close();
    // The indexes as migrations 013 and 014 left them.
    await admin(async (client) => {
      await client.query(`DROP INDEX "${schema}".jobs_v1_created`);
      await client.query(`DROP INDEX "${schema}".jobs_dead_letters`);
      await client.query(`CREATE INDEX jobs_v1_created ON "${schema}".jobs (created_at DESC NULLS LAST, id DESC) WHERE dialect = 'v1'`);
      await client.query(
        `CREATE INDEX jobs_dead_letters ON "${schema}".jobs (completed_at DESC NULLS LAST, id DESC) WHERE target = 'callback' AND status IN ('failed', 'timeout')`,
      );
      await client.query(`DELETE FROM "${schema}".chime_migrations WHERE version = 15`);
    });
    const after = store(schema);
    await after.open();
    const defs = await admin((client) =>
      client.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname IN ('jobs_v1_created', 'jobs_dead_letters')`, [schema]),
    );
    expect(defs.rows).toHaveLength(2);
    for (const row of defs.rows) expect(row.indexdef).not.toMatch(/DESC/);
    const newestFirst = jobs.slice().sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((j) => j.id);
    const first = await after.listJobs({ dialect: 'v1', limit: 3, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
    const rest = await after.listJobs({ dialect: 'v1', limit: 3, offset: 0, orderBy: 'created_at', orderDir: 'desc', after: first.next! });
    expect([...first.items, ...rest.items].map((j) => j.id)).toEqual(newestFirst);
  });

  it('keeps every task job a /api/v1 job, so the task stats can walk the dialect index (migration 013)', async () => {
    const schema = newSchema();
    const node = store(schema);
    await node.open();
    await expect(node.insertJobs([newJob({ dialect: 'envelope' })])).rejects.toThrow(/jobs_task_is_v1/);
    await node.insertJobs([newJob()]);
    expect((await node.jobStats()).byQueue.default?.byStatus.pending).toBe(1);
  });

  it('makes a task job of another dialect a /api/v1 job when migration 013 runs, and counts it', async () => {
    const schema = newSchema();
    const before = store(schema);
    await before.open();
    const job = newJob();
    await before.insertJobs([job]);
    await before.close();
    // The table as migration 012 left it, with a task job that is not a v1 job.
    await admin(async (client) => {
      await client.query(`ALTER TABLE "${schema}".jobs DROP CONSTRAINT jobs_task_is_v1`);
      await client.query(`DROP INDEX "${schema}".jobs_dead_letters`);
      await client.query(`UPDATE "${schema}".jobs SET dialect = 'envelope' WHERE id = $1`, [job.id]);
      await client.query(`DELETE FROM "${schema}".chime_migrations WHERE version = 13`);
    });
    const after = store(schema);
    await after.open();
    expect((await after.getJob(job.id))?.dialect).toBe('v1');
    expect((await after.jobStats()).byQueue.default?.byStatus.pending).toBe(1);
  });

  it('delivers a due signal to another store instance within milliseconds', async () => {
    const schema = newSchema();
    const writer = store(schema);
    const reader = store(schema);
    await Promise.all([writer.open(), reader.open()]);
    const local: (DueSignal | null)[] = [];
    writer.onDue((signal) => local.push(signal));
    const job = newJob({ runAt: T0 + 50 });
    const received = new Promise<{ signal: DueSignal; at: number }>((resolve) => {
      reader.onDue((signal) => {
        if (signal) resolve({ signal, at: performance.now() });
      });
    });
    const start = performance.now();
    await writer.insertJobs([job]);
    const { signal, at } = await received;
    expect(signal).toEqual({ target: 'task', queue: 'default', runAt: T0 + 50 });
    // Typically 1-2 ms; the bound allows for a loaded machine (a lost NOTIFY never resolves at all).
    expect(at - start).toBeLessThan(700);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The writer signals its own listeners once, directly, and skips the echo of its NOTIFY.
    expect(local).toEqual([{ target: 'task', queue: 'default', runAt: T0 + 50 }]);
  });

  it('never hands one job to two stores claiming from one table', async () => {
    const schema = newSchema();
    const nodes = Array.from({ length: 4 }, () => store(schema, { poolSize: 3 }));
    await Promise.all(nodes.map((node) => node.open()));
    await nodes[0]!.insertJobs(Array.from({ length: 2000 }, (_, i) => newJob({ runAt: T0 - (i % 97), priority: i % 3 === 0 ? 'high' : 'normal' })));
    const claimed = await Promise.all(
      nodes.map(async (node, n) => {
        const ids: string[] = [];
        // Several claimers per node, each looping until the table is drained.
        await Promise.all(
          Array.from({ length: 3 }, async (_, c) => {
            for (;;) {
              const batch = await node.claimDue({ lane: TASKS, now: T0, limit: 37, owner: `n${n}c${c}`, leaseMs: 60_000, planNext: noNext });
              if (batch.length === 0) return;
              ids.push(...batch.map((job) => job.id));
            }
          }),
        );
        return ids;
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(2000);
    expect(new Set(all).size).toBe(2000);
    // Work was actually spread over the nodes.
    expect(claimed.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
  });

  it('holds a concurrency limit across stores claiming at once', async () => {
    const schema = newSchema();
    const nodes = Array.from({ length: 4 }, () => store(schema, { poolSize: 4 }));
    await Promise.all(nodes.map((node) => node.open()));
    await nodes[0]!.insertJobs(Array.from({ length: 100 }, () => newJob()));
    await nodes[0]!.setQueueConcurrency('default', 3, T0);
    const claims = await Promise.all(
      nodes.flatMap((node, n) =>
        Array.from({ length: 4 }, (_, c) =>
          node.claimDue({ lane: TASKS, now: T0, limit: 2, owner: `n${n}c${c}`, leaseMs: 60_000, planNext: noNext }),
        ),
      ),
    );
    expect(claims.flat()).toHaveLength(3);
    const [queue] = (await nodes[1]!.listQueues()).filter((q) => q.name === 'default');
    expect(queue).toMatchObject({ running: 3, size: 97, concurrency: 3 });
  });

  /**
   * Records the statements of claims, by their first two words, with BEGIN and COMMIT around
   * those in a transaction: a claim on its own is one statement and no transaction block.
   */
  function recordClaimStatements(): { statements: string[]; restore: () => void } {
    const statements: string[] = [];
    const first = (text: string) => text.trim().split(/\s+/).slice(0, 2).join(' ');
    const prototype = PgDatabase.prototype as unknown as Record<'transactionOnce', TransactionOnce>;
    const transactionOnce = prototype.transactionOnce;
    const inTransaction = vi.spyOn(prototype, 'transactionOnce').mockImplementation(async function (this: PgDatabase, fn, options) {
      const counted = (tx: Queryable): Queryable => ({
        query: (text, ...rest) => {
          statements.push(first(text));
          return tx.query(text, ...rest);
        },
      });
      statements.push('BEGIN');
      const value = await transactionOnce.call(this, (tx) => fn(counted(tx)), options);
      statements.push('COMMIT');
      return value;
    });
    const query = PgDatabase.prototype.query;
    const alone = vi.spyOn(PgDatabase.prototype, 'query').mockImplementation(function (this: PgDatabase, text, ...rest) {
      statements.push(first(text));
      return query.call(this, text, ...rest);
    });
    return { statements, restore: () => (inTransaction.mockRestore(), alone.mockRestore()) };
  }

  it('claims in one statement on its own until a lane has a limited queue, and again once the limit is gone', async () => {
    const node = store(newSchema());
    await node.open();
    await node.insertJobs(Array.from({ length: 10 }, (_, i) => newJob({ runAt: T0 - i })));
    const recorded = recordClaimStatements();
    try {
      const claim = async () => {
        recorded.statements.length = 0;
        const claimed = await node.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 60_000, planNext: noNext });
        return { claimed: claimed.length, statements: [...recorded.statements] };
      };
      const one = ['WITH clock'];
      const two = ['BEGIN', 'WITH clock', 'WITH lane', 'COMMIT'];
      expect(await claim()).toEqual({ claimed: 1, statements: one });
      await node.setQueueConcurrency('default', 3, T0);
      // The one-statement claim sees the limit and takes nothing; the lane is claimed under it.
      expect(await claim()).toEqual({ claimed: 1, statements: [...one, ...two] });
      expect(await claim()).toEqual({ claimed: 1, statements: two });
      await node.setQueueConcurrency('default', null, T0);
      expect(await claim()).toEqual({ claimed: 1, statements: two });
      expect(await claim()).toEqual({ claimed: 1, statements: one });
    } finally {
      recorded.restore();
    }
  });

  it("claims a schedule's occurrence in a transaction that advances the schedule, and a lane without them on its own again", async () => {
    const node = store(newSchema());
    await node.open();
    const schedule = newSchedule({ template: taskTemplate(), repeats: 2 });
    await node.createSchedule(schedule, firstJob(schedule), 'create');
    const recorded = recordClaimStatements();
    try {
      const claim = async () => {
        recorded.statements.length = 0;
        const claimed = await node.claimDue({ lane: TASKS, now: T0 + 5_000, limit: 1, owner: 'w1', leaseMs: 60_000, planNext: everyPlan });
        return { claimed: claimed.map((job) => job.runAt), statements: [...recorded.statements] };
      };
      // On its own the claim chose the occurrence and took nothing: a transaction takes it and
      // writes the schedule's next occurrence, which the next claim finds.
      const first = await claim();
      expect(first.claimed).toEqual([T0]);
      expect(first.statements.slice(0, 3)).toEqual(['WITH clock', 'BEGIN', 'WITH clock']);
      expect(first.statements.length).toBeGreaterThan(4);
      expect(first.statements.at(-1)).toBe('COMMIT');
      // The lane is known to have occurrences: straight to a transaction.
      const second = await claim();
      expect(second.claimed).toEqual([T0 + 1_000]);
      expect(second.statements.slice(0, 2)).toEqual(['BEGIN', 'WITH clock']);
      // The schedule has run its two times. A claim that takes only a plain job puts the lane
      // back on the one-statement path.
      await node.insertJobs([newJob({ runAt: T0 + 2_000 }), newJob({ runAt: T0 + 3_000 })]);
      expect(await claim()).toEqual({ claimed: [T0 + 2_000], statements: ['BEGIN', 'WITH clock', 'COMMIT'] });
      expect(await claim()).toEqual({ claimed: [T0 + 3_000], statements: ['WITH clock'] });
    } finally {
      recorded.restore();
    }
  });

  it('never claims a job that is not yet due by the database clock, whatever the caller says', async () => {
    const schema = newSchema();
    const node = store(schema, { useStoreClock: true });
    await node.open();
    const dbNow = Math.floor(await node.serverTime());
    expect(Math.abs(dbNow - Date.now())).toBeLessThan(1000);
    const ahead = newJob({ runAt: dbNow + 60_000 });
    const due = newJob({ runAt: dbNow - 10 });
    await node.insertJobs([ahead, due]);
    const signals: (DueSignal | null)[] = [];
    node.onDue((signal) => signals.push(signal));
    // A caller whose clock runs two minutes fast.
    const claimed = await node.claimDue({ lane: TASKS, now: dbNow + 120_000, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext });
    expect(claimed.map((job) => job.id)).toEqual([due.id]);
    expect((await node.getJob(ahead.id))?.status).toBe('pending');
    // The held-back job comes back as a wake-up on the caller's clock: when the database
    // clock reaches its run time, which is two minutes later on the caller's.
    const wake = signals.find((signal) => signal !== null);
    expect(wake?.runAt).toBeGreaterThan(ahead.runAt + 119_000);
    expect(wake?.runAt).toBeLessThanOrEqual(ahead.runAt + 120_000);
  });

  it('reads the database clock to a fraction of a millisecond: a node on this machine measures offset 0', async () => {
    const node = store(newSchema(), { useStoreClock: true });
    await node.open();
    await expectSameMachineClock(() => node.serverTime());
  });

  it('fails fast with STORE_UNAVAILABLE and reports unhealthy when the server cannot be reached', async () => {
    const node = createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: 'chime_unreachable' });
    const start = performance.now();
    const error = await node.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(performance.now() - start).toBeLessThan(3000);
    expect(error).toBeInstanceOf(ChimeError);
    expect((error as ChimeError).code).toBe('STORE_UNAVAILABLE');
    expect((await node.health()).ok).toBe(false);
    await node.close();
    await node.close(); // idempotent
  });

  it('maps a duplicate job id to JOB_EXISTS naming the id', async () => {
    const node = store(newSchema());
    await node.open();
    const job = newJob();
    await node.insertJobs([job]);
    const error = await node.insertJobs([newJob(), { ...job }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChimeError);
    expect((error as ChimeError).message).toContain(job.id);
  });

  it('inserts a large batch atomically across statements', async () => {
    const node = store(newSchema());
    await node.open();
    const jobs = Array.from({ length: 25_000 }, (_, i) => newJob({ runAt: T0 + i }));
    const duplicate = { ...jobs[12_345]!, id: jobs[0]!.id };
    await expect(node.insertJobs([...jobs, duplicate])).rejects.toMatchObject({ code: 'JOB_EXISTS' });
    expect((await node.listJobs({ limit: 1, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).total).toBe(0);
    await node.insertJobs(jobs);
    expect((await node.listJobs({ limit: 1, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).total).toBe(25_000);
  });
});

describe('PostgreSQL group commit', () => {
  it('merges concurrent inserts and fails only the call with a duplicate id', async () => {
    const node = store(newSchema());
    await node.open();
    const existing = newJob();
    await node.insertJobs([existing]);
    const calls = Array.from({ length: 20 }, (_, i) => (i === 7 ? [newJob(), { ...newJob(), id: existing.id }] : [newJob()]));
    const results = await Promise.allSettled(calls.map((jobs) => node.insertJobs(jobs)));
    expect(results.map((r) => r.status)).toEqual(calls.map((_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
    expect((results[7] as PromiseRejectedResult).reason).toMatchObject({ code: 'JOB_EXISTS' });
    expect((await node.listJobs({ limit: 1, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).total).toBe(20);
  });

  it('merges concurrent schedule creates and settles taken names alone, in arrival order', async () => {
    const node = store(newSchema());
    await node.open();
    const live = newSchedule({ name: 'live' });
    const done = newSchedule({ name: 'done', recurrence: { kind: 'once' } });
    const replaced = newSchedule({ name: 'replaced' });
    for (const s of [live, done, replaced]) await node.createSchedule(s, firstJob(s), 'create');
    const [claimed] = await node.claimDue({ lane: { target: 'callback' }, now: T0, limit: 10, owner: 'n1', leaseMs: 1000, planNext: noNext })
      .then((jobs) => jobs.filter((j) => j.scheduleId === done.id));
    await node.recordOutcomes([{ jobId: claimed!.id, owner: 'n1', status: 'completed', finishedAt: T0, attempt: { outcome: 'succeeded', firedAt: T0, durationMs: 1, httpStatus: 200, error: null } }]);
    const fresh = Array.from({ length: 10 }, (_, i) => newSchedule({ name: `fresh-${i}` }));
    const calls = [
      ...fresh.map((s) => ({ s, mode: 'create' as const })),
      { s: newSchedule({ name: 'live' }), mode: 'create' as const }, // refused: live
      { s: newSchedule({ name: 'done' }), mode: 'create' as const }, // replaces the finished one
      { s: newSchedule({ name: 'replaced' }), mode: 'replace' as const },
      { s: newSchedule({ name: 'twice' }), mode: 'create' as const },
      { s: newSchedule({ name: 'twice' }), mode: 'create' as const }, // refused: the previous call took it
    ];
    const results = await Promise.allSettled(calls.map(({ s, mode }) => node.createSchedule(s, firstJob(s), mode)));
    expect(results.map((r) => r.status)).toEqual([...fresh.map(() => 'fulfilled'), 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((results[10] as PromiseRejectedResult).reason).toMatchObject({ code: 'JOB_EXISTS' });
    expect((results[14] as PromiseRejectedResult).reason).toMatchObject({ code: 'JOB_EXISTS' });
    for (const [i, { s }] of calls.entries()) {
      if (results[i]!.status === 'fulfilled') expect((await node.getScheduleByName(s.name))?.id).toBe(s.id);
    }
    expect((await node.getScheduleByName('live'))?.id).toBe(live.id);
    expect(await node.getSchedule(replaced.id)).toBeNull();
    const waiting = await node.listJobs({ target: 'callback', statuses: ['pending'], limit: 100, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
    expect(waiting.total).toBe(10 + 3); // fresh, and the new done, replaced and twice (live's runs)
  });
});

describe('PostgreSQL connections', () => {
  it('runs claims on connections with generic plans and no JIT, keeping the URL\'s own options, and other statements on defaults', async () => {
    const { PgDatabase } = await import('../../src/store/postgres/context.js');
    const { resolvePostgresOptions } = await import('../../src/store/postgres/options.js');
    const url = new URL(CONNECTION);
    url.searchParams.set('options', '-c lock_timeout=7s');
    const db = new PgDatabase(resolvePostgresOptions({ connectionString: url.toString(), schema: newSchema(), poolSize: 1 }));
    const settings = (q: { query: (text: string, values?: unknown[], options?: { genericPlans?: boolean }) => Promise<Record<string, unknown>[]> }, options = {}) =>
      q
        .query(`SELECT current_setting('plan_cache_mode') AS plans, current_setting('jit') AS jit, current_setting('lock_timeout') AS lock`, [], options)
        .then(([row]) => row);
    try {
      const defaults = await settings(db);
      expect(defaults).toMatchObject({ plans: 'auto', lock: '7s' });
      const generic = { plans: 'force_generic_plan', jit: 'off', lock: '7s' };
      expect(await settings(db, { genericPlans: true })).toEqual(generic);
      expect(await db.transaction((tx) => settings(tx), { genericPlans: true })).toEqual(generic);
      expect(await db.transaction((tx) => settings(tx))).toEqual(defaults);
      expect(await settings(db)).toEqual(defaults);
    } finally {
      await db.end();
    }
  });

  it('fails a transaction whose connection is killed with STORE_UNAVAILABLE, without crashing, and recovers', async () => {
    const { PgDatabase } = await import('../../src/store/postgres/context.js');
    const { resolvePostgresOptions } = await import('../../src/store/postgres/options.js');
    const db = new PgDatabase(resolvePostgresOptions({ connectionString: CONNECTION, schema: newSchema(), poolSize: 1 }));
    try {
      const error = await db
        .transaction(async (tx) => {
          await tx.query('SELECT 1');
          // The server ends this session mid-transaction, as a restart or failover would.
          await admin((client) => tx.query('SELECT pg_backend_pid() AS pid').then(([row]) => client.query('SELECT pg_terminate_backend($1)', [(row as { pid: number }).pid])));
          await new Promise((resolve) => setTimeout(resolve, 100));
          return tx.query('SELECT 1');
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChimeError);
      expect((error as ChimeError).code).toBe('STORE_UNAVAILABLE');
      // The broken connection was discarded; the next call gets a fresh one.
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.end();
    }
  });

  it('replaces a killed claim connection with one that has the claim settings again', async () => {
    const { PgDatabase } = await import('../../src/store/postgres/context.js');
    const { resolvePostgresOptions } = await import('../../src/store/postgres/options.js');
    const db = new PgDatabase(resolvePostgresOptions({ connectionString: CONNECTION, schema: newSchema(), poolSize: 1 }));
    const onClaimConnection = { genericPlans: true };
    const session = () =>
      db
        .query<{ pid: number; plans: string }>(`SELECT pg_backend_pid() AS pid, current_setting('plan_cache_mode') AS plans`, [], onClaimConnection)
        .then(([row]) => row!);
    try {
      const first = await session();
      expect(first.plans).toBe('force_generic_plan');
      // The server ends the claim connection between claims, as a restart or failover would
      // (only this one: other test files share the server).
      await admin((client) => client.query('SELECT pg_terminate_backend($1)', [first.pid]));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const error = await session().catch((e: unknown) => e);
      if (error instanceof Error) expect((error as ChimeError).code).toBe('STORE_UNAVAILABLE');
      const next = await session();
      expect(next.pid).not.toBe(first.pid);
      expect(next.plans).toBe('force_generic_plan');
    } finally {
      await db.end();
    }
  });
});
