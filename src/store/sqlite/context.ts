import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ChimeError, chimeError } from '../../core/errors.js';
import { earliestPerLane } from '../due-signals.js';
import type { DueSignal } from '../store.js';
import type { ScanReader } from './scan-reader.js';

/**
 * The due log keeps at least this many rows: a peer that has not read the ones before them
 * (it was busy for that many commits) re-reads everything instead. Pruned every
 * DUE_LOG_PRUNE_EVERY rows, one DELETE of that many.
 */
export const DUE_LOG_KEEP = 1024;
const DUE_LOG_PRUNE_EVERY = 256;

interface QueuedWrite {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The open database with a statement cache: each SQL text is prepared once per connection. */
export class SqliteContext {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly rowStatements = new Map<string, RowStatement>();
  private queued: QueuedWrite[] = [];
  private flushScheduled = false;
  /** Whether the open transaction appended to the due log (publish). */
  private published = false;
  /** Called after each commit that appended to the due log: rings the peers' doorbell. */
  afterPublish: (() => void) | undefined;
  private scanner: ScanReader | undefined;
  private scansHere = false;
  /** This connection's rows in the due log, which its own PeerWrites skips. */
  readonly origin = randomBytes(6).toString('base64url');

  /**
   * `startScans`: the reader for `scanRows`/`scanValue`, started at the first; absent, they run
   * here. `dueLog`: whether writes publish what they made due to other processes (not for a
   * database in memory, which has none).
   */
  constructor(
    readonly db: Database.Database,
    private readonly startScans?: () => ScanReader,
    private readonly dueLog = false,
  ) {}

  /**
   * Appends what this write made due to the due log (migrations/014-due-log.sql), one row per
   * lane at its earliest time; null asks the peers to re-read everything. Called inside the
   * write's transaction, so the rows commit with it, or not at all. Returns `signals` for the
   * caller's own listeners.
   */
  publish<S extends DueSignal | null>(signals: S[]): S[] {
    if (!this.dueLog || signals.length === 0) return signals;
    this.published = true;
    const insert = this.prepare('INSERT INTO due_log (origin, target, queue, run_at, more) VALUES (?, ?, ?, ?, ?)');
    let first = 0;
    let last = 0;
    const append = (...values: unknown[]): void => {
      last = Number(insert.run(this.origin, ...values).lastInsertRowid);
      first ||= last;
    };
    const known = signals.filter((signal): signal is Exclude<S, null> => signal !== null);
    for (const signal of earliestPerLane(known)) append(signal.target, signal.queue, signal.runAt, signal.more ? 1 : 0);
    if (known.length < signals.length) append(null, null, null, 0);
    // Once the ids pass a multiple of DUE_LOG_PRUNE_EVERY.
    if (Math.floor(last / DUE_LOG_PRUNE_EVERY) > Math.floor((first - 1) / DUE_LOG_PRUNE_EVERY)) {
      this.prepare('DELETE FROM due_log WHERE id <= ?').run(last - DUE_LOG_KEEP);
    }
    return signals;
  }

  prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * A statement whose rows come back as plain objects built in JavaScript. better-sqlite3's own
   * row objects cost, per column of every row, a name lookup in V8's string table and a
   * property set through the C++ API; counted with valgrind that was a sixth of the store's
   * instructions per fired Dapr job (scripts/measure-store-instructions.mjs). Here one function
   * made for the statement's columns turns each row into an object literal, which V8 builds
   * with one hidden class; and where the columns allow, each row comes as one JSON text (see
   * RowStatement).
   */
  rows(sql: string): RowStatement {
    let statement = this.rowStatements.get(sql);
    if (!statement) {
      statement = new RowStatement(this.db.prepare(sql), this.db);
      this.rowStatements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `fn` atomically: in its own BEGIN IMMEDIATE transaction (the write lock taken up
   * front, so two processes never deadlock upgrading a read lock), or, inside a group
   * commit, within the group's savepoint. Transactions use cached statements rather than
   * better-sqlite3's `db.transaction()`, which builds new wrapper functions on every call.
   */
  write<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    try {
      // Inside the try: a file still locked by another process after busy_timeout is a
      // retryable STORE_LOCKED (503), not a raw SqliteError.
      this.prepare('BEGIN IMMEDIATE').run();
      const value = fn();
      this.prepare('COMMIT').run();
      if (this.published) {
        this.published = false;
        this.afterPublish?.();
      }
      return value;
    } catch (error) {
      this.published = false;
      if (this.db.inTransaction) this.prepare('ROLLBACK').run();
      throw mapSqliteError(error);
    }
  }

  /**
   * Group commit: writes issued in one event-loop turn commit in one transaction, each inside
   * its own savepoint so one failing (a duplicate name) does not undo the others. A commit
   * rewrites every page it touched into the WAL; at 50 concurrent API requests one commit
   * per request spent most of the time there (profiled: 35% of CPU at ~3k creates/s).
   * The promise settles after the commit, so an acknowledged write is on disk.
   */
  groupWrite<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushGroup());
      }
    });
  }

  private flushGroup(): void {
    this.flushScheduled = false;
    const batch = this.queued;
    this.queued = [];
    const settle: (() => void)[] = [];
    try {
      this.write(() => {
        for (const op of batch) {
          this.prepare('SAVEPOINT chime_op').run();
          try {
            const value = op.fn();
            this.prepare('RELEASE chime_op').run();
            settle.push(() => op.resolve(value));
          } catch (error) {
            this.prepare('ROLLBACK TO chime_op').run();
            this.prepare('RELEASE chime_op').run();
            settle.push(() => op.reject(mapSqliteError(error)));
          }
        }
      });
    } catch (error) {
      for (const op of batch) op.reject(mapSqliteError(error));
      return;
    }
    for (const done of settle) done();
  }

  read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw mapSqliteError(error);
    }
  }

  /**
   * Every row of a read that walks many rows (a count, a group by): on the scan reader's thread
   * (scan-reader.ts), so this one goes on firing and delivering meanwhile. It reads the last
   * commit: a write still queued for the group commit is not in it, and none acknowledged is missing.
   */
  scanRows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.scan(sql, params, false) as Promise<T[]>;
  }

  /** The first column of the first row of such a read. */
  scanValue<T>(sql: string, params: readonly unknown[] = []): Promise<T> {
    return this.scan(sql, params, true) as Promise<T>;
  }

  /** Ends the scan reader's thread, if one started. */
  async stopScans(): Promise<void> {
    this.scansHere = true;
    await this.scanner?.stop();
  }

  private scan(sql: string, params: readonly unknown[], value: boolean): Promise<unknown> {
    if (!this.scansHere && !this.scanner && this.startScans) this.scanner = this.startScans();
    const reader = this.scansHere ? undefined : this.scanner;
    if (!reader) {
      return new Promise((resolve) => {
        const statement = this.prepare(sql).pluck(value);
        resolve(this.read(() => (value ? statement.get(...params) : statement.all(...params))));
      });
    }
    return (value ? reader.value(sql, params) : reader.rows(sql, params)).catch((error: unknown) => {
      if (!reader.failed) throw mapSqliteError(error);
      // The thread is gone (it could not open the file, or died): scans run here from now on.
      if (!this.scansHere) process.emitWarning(`SQLite scan reader stopped (${reader.failed.message}); counting reads run on the store's thread instead`);
      this.scansHere = true;
      return this.scan(sql, params, value);
    });
  }
}

/**
 * See SqliteContext.rows. A row can reach JavaScript two ways: as an array (better-sqlite3's
 * raw mode), or as one JSON text that SQLite builds (`json_array` of the columns) and
 * `JSON.parse` reads. On Node 20 better-sqlite3 fills the array one `Object::Set` at a time
 * through V8's C++ API, about 900 instructions a value (Node 22 builds it at once); the JSON
 * text is one value. Counted, a page of 100 jobs cost 60% fewer instructions that way and a
 * fired Dapr job's store work 5% fewer (docs/benchmarks.md, "SQLite: rows as one JSON text").
 * JSON carries integers and text exactly, so it is used when every column is declared INTEGER
 * or TEXT, for a `SELECT *` of one table and an `... RETURNING *` (the list in place of the
 * star), and another SELECT without an ORDER BY (wrapped: `SELECT json_array(...) FROM
 * (...)`); other statements come raw. A REAL value in an INTEGER column (SQLite allows it)
 * would lose digits in JSON, which prints 15: such a value is written as 17
 * (`printf('%!.17g')`) instead, as exact as the raw read.
 */
export class RowStatement {
  private readonly build: (values: unknown[]) => unknown;
  private readonly raw: Database.Statement | undefined;
  private readonly json: Database.Statement | undefined;

  constructor(statement: Database.Statement, db: Database.Database) {
    const columns = statement.columns();
    // Column names come from the store's own SQL, never from input; JSON.stringify quotes each.
    const fields = columns.map((column, i) => `${JSON.stringify(column.name)}: v[${i}]`);
    this.build = new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => unknown;
    this.json = jsonStatement(db, statement.source, columns);
    if (!this.json) this.raw = statement.raw(true);
  }

  /** How rows reach JavaScript: one JSON text each, or an array (see above). */
  get form(): 'json' | 'raw' {
    return this.json ? 'json' : 'raw';
  }

  get(...params: unknown[]): unknown {
    if (this.json) {
      const text = this.json.get(...params) as string | undefined;
      return text === undefined ? undefined : this.build(JSON.parse(text) as unknown[]);
    }
    const values = this.raw!.get(...params) as unknown[] | undefined;
    return values === undefined ? undefined : this.build(values);
  }

  all(...params: unknown[]): unknown[] {
    const rows = (this.json ?? this.raw)!.all(...params) as (string | unknown[])[];
    const built = new Array<unknown>(rows.length);
    if (this.json) for (let i = 0; i < rows.length; i++) built[i] = this.build(JSON.parse(rows[i] as string) as unknown[]);
    else for (let i = 0; i < rows.length; i++) built[i] = this.build(rows[i] as unknown[]);
    return built;
  }
}

const RETURNING_ALL = /\bRETURNING\s+\*\s*$/i;
const SELECT_ALL = /^\s*SELECT\s+\*\s+FROM\b/i;

/** The statement rewritten to return each row as one JSON array text, prepared; undefined where it cannot be. */
function jsonStatement(db: Database.Database, sql: string, columns: readonly Database.ColumnDefinition[]): Database.Statement | undefined {
  const json = jsonRowSql(sql, columns);
  try {
    return json === undefined ? undefined : db.prepare(json).pluck(true);
  } catch {
    return undefined; // a shape the rewrite does not fit (a star over a join's equal names): rows come raw
  }
}

function jsonRowSql(sql: string, columns: readonly Database.ColumnDefinition[]): string | undefined {
  const types = columns.map((column) => column.type?.toUpperCase());
  if (columns.length === 0 || !types.every((type) => type === 'INTEGER' || type === 'TEXT')) return undefined;
  const values = columns.map((column, i) => {
    const name = `"${column.name.replaceAll('"', '""')}"`;
    return types[i] === 'INTEGER' ? `iif(typeof(${name}) = 'real', json(printf('%!.17g', ${name})), ${name})` : name;
  });
  const list = `json_array(${values.join(', ')})`;
  if (RETURNING_ALL.test(sql)) return sql.replace(RETURNING_ALL, `RETURNING ${list}`);
  // `SELECT * FROM` one table: the list in place of the star, so the statement's ORDER BY and
  // LIMIT stay its own. Another SELECT is wrapped, unless it orders its rows: an outer query
  // need not keep the order of the rows it reads.
  if (SELECT_ALL.test(sql)) return sql.replace(SELECT_ALL, `SELECT ${list} FROM`);
  if (/^\s*SELECT\b/i.test(sql) && !/\bORDER\s+BY\b/i.test(sql)) return `SELECT ${list} FROM (${sql})`;
  return undefined;
}

/** A primary key or unique index refused a row. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function mapSqliteError(error: unknown): unknown {
  if (error instanceof ChimeError) return error;
  if (isUniqueViolation(error)) return chimeError('JOB_ID_CONFLICT', {}, { cause: error });
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return chimeError('STORE_LOCKED', {}, { cause: error });
  }
  return error;
}
