/**
 * A write waiting for another process's write lock (SqliteContext.write, BEGIN IMMEDIATE under
 * the connection's busy_timeout): it succeeds once the lock is free, and past the timeout
 * fails with STORE_UNAVAILABLE ("the SQLite file is locked"), a retryable 503, having written
 * nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { SqliteContext } from '../../src/store/sqlite/context.js';
import { tempDbPath } from '../support/temp.js';

const LOCK_WAIT_MS = 5000;

/** Another process that takes the write lock, writes a row, says so, and commits after `holdMs`. */
const HOLDER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.prepare('BEGIN IMMEDIATE').run();
db.prepare("INSERT INTO t (who) VALUES ('holder')").run();
process.stdout.write('locked\\n');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]));
db.prepare('COMMIT').run();
db.close();
`;

let holder: ChildProcess | undefined;
let db: Database.Database | undefined;

afterEach(() => {
  holder?.kill('SIGKILL');
  holder = undefined;
  db?.close();
  db = undefined;
});

function openDb(lockWaitMs: number): { path: string; db: Database.Database } {
  const path = tempDbPath();
  const opened = new Database(path);
  opened.pragma('journal_mode = WAL');
  opened.pragma(`busy_timeout = ${lockWaitMs}`);
  opened.exec('CREATE TABLE t (who TEXT NOT NULL)');
  db = opened;
  return { path, db: opened };
}

/** Starts the holder; resolves once it holds the lock, and with its exit once it commits. */
async function holdLock(path: string, holdMs: number): Promise<{ exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['-e', HOLDER, path, String(holdMs)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  holder = child;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before taking the lock`)));
  });
  return { exited };
}

const whoWrote = (database: Database.Database): string[] => database.prepare('SELECT who FROM t ORDER BY rowid').pluck().all() as string[];

describe('SQLite: waiting for the write lock', () => {
  it("waits out another process's lock and commits after it", async () => {
    const { path, db } = openDb(LOCK_WAIT_MS);
    const context = new SqliteContext(db);
    const { exited } = await holdLock(path, 300);
    context.write(() => db.prepare("INSERT INTO t (who) VALUES ('store')").run());
    expect(await exited).toBe(0);
    expect(whoWrote(db)).toEqual(['holder', 'store']);
  });

  it('past its limit fails with STORE_UNAVAILABLE (locked), having written nothing', async () => {
    const { path, db } = openDb(100);
    const context = new SqliteContext(db);
    const { exited } = await holdLock(path, 3000);
    let failure: unknown;
    try {
      context.write(() => db.prepare("INSERT INTO t (who) VALUES ('store')").run());
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ChimeError);
    expect((failure as ChimeError).code).toBe('STORE_UNAVAILABLE');
    expect((failure as ChimeError).template?.id).toBe('STORE_LOCKED');
    expect(db.inTransaction).toBe(false);
    expect(await exited).toBe(0);
    expect(whoWrote(db)).toEqual(['holder']);
  });
});
