/**
 * SqliteContext.rows: rows built in JavaScript from raw arrays are the objects better-sqlite3
 * itself would return, for every column type the store keeps, from SELECT and from RETURNING.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteContext } from '../../src/store/sqlite/context.js';

let db: Database.Database;
let ctx: SqliteContext;
beforeEach(() => {
  db = new Database(':memory:');
  db.exec(`CREATE TABLE t (seq INTEGER PRIMARY KEY, name TEXT, size REAL, data BLOB, gone TEXT, "odd ""name"" col" INTEGER);
    INSERT INTO t VALUES (1, 'one', 1.5, x'0102', NULL, 7), (2, 'two', -2, x'', NULL, 9);`);
  ctx = new SqliteContext(db);
});
afterEach(() => db.close());

it('builds the rows better-sqlite3 builds, odd column names included', () => {
  const sql = 'SELECT * FROM t ORDER BY seq';
  const expected = db.prepare(sql).all();
  expect(ctx.rows(sql).all()).toEqual(expected);
  expect(ctx.rows(sql).get()).toEqual(expected[0]);
  expect(Object.keys(ctx.rows(sql).get() as object)).toEqual(['seq', 'name', 'size', 'data', 'gone', 'odd "name" col']);
});

it('takes parameters, and answers undefined and [] when nothing matches', () => {
  const sql = 'SELECT name, size FROM t WHERE seq = ?';
  expect(ctx.rows(sql).get(2)).toEqual({ name: 'two', size: -2 });
  expect(ctx.rows(sql).get(3)).toBeUndefined();
  expect(ctx.rows(sql).all(3)).toEqual([]);
});

it('returns what an UPDATE ... RETURNING changed', () => {
  const rows = ctx.rows('UPDATE t SET name = upper(name) WHERE seq >= ? RETURNING seq, name').all(1);
  expect(rows.sort((a, b) => (a as { seq: number }).seq - (b as { seq: number }).seq)).toEqual([
    { seq: 1, name: 'ONE' },
    { seq: 2, name: 'TWO' },
  ]);
});

it('prepares each text once', () => {
  expect(ctx.rows('SELECT seq FROM t')).toBe(ctx.rows('SELECT seq FROM t'));
});
