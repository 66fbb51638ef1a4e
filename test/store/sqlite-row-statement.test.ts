/**
 * SqliteContext.rows: rows built in JavaScript from raw arrays are the objects better-sqlite3
 * itself would return, for every column type the store keeps, from SELECT and from RETURNING,
 * whether they come raw or as one JSON text.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('rows as one JSON text (INTEGER and TEXT columns only)', () => {
  beforeEach(() => {
    db.exec(`CREATE TABLE j (seq INTEGER PRIMARY KEY, name TEXT, at INTEGER, "odd ""name"" col" TEXT, doc TEXT);
      INSERT INTO j VALUES (1, 'one', 9007199254740991, 'quote " backslash \\ tab \t', '{"a":[1,2]}'),
        (2, NULL, -253402300799999, 'ünïcødé ✓ 𝄞', NULL),
        (3, char(0, 1, 31) || 'x', 0.1 + 0.2, '', '[]'),
        (4, '', 1.5, 'x', 'null');`);
  });

  it('are the rows better-sqlite3 builds, from a SELECT', () => {
    // In the statement's own order: the star is replaced, so its ORDER BY and LIMIT stand.
    for (const sql of ['SELECT * FROM j ORDER BY seq', 'SELECT * FROM j ORDER BY seq DESC LIMIT CAST(? AS INTEGER)']) {
      const statement = ctx.rows(sql);
      expect(statement.form).toBe('json');
      const expected = sql.includes('?') ? db.prepare(sql).all(3) : db.prepare(sql).all();
      expect(sql.includes('?') ? statement.all(3) : statement.all()).toEqual(expected);
    }
    // A column list is wrapped in an outer SELECT, which keeps no order: compared by key.
    const listed = 'SELECT name, seq AS "as ""alias""" FROM j WHERE seq > ?';
    expect(ctx.rows(listed).form).toBe('json');
    const byKey = (rows: unknown[]) => [...rows].sort((a, b) => (a as Record<string, number>)['as "alias"']! - (b as Record<string, number>)['as "alias"']!);
    expect(byKey(ctx.rows(listed).all(1))).toEqual(byKey(db.prepare(listed).all(1)));
    // A REAL that SQLite kept in an INTEGER column comes back exact (JSON alone prints 15 digits).
    expect((ctx.rows('SELECT at FROM j WHERE seq = ?').get(3) as { at: number }).at).toBe(0.1 + 0.2);
    expect(ctx.rows('SELECT * FROM j WHERE seq = ?').get(9)).toBeUndefined();
  });

  it('are the rows better-sqlite3 builds, from an UPDATE ... RETURNING *', () => {
    const expected = db.prepare('SELECT * FROM j ORDER BY seq').all().map((row) => ({ ...(row as object), doc: 'x' }));
    const statement = ctx.rows('UPDATE j SET doc = ? WHERE seq >= ? RETURNING *');
    expect(statement.form).toBe('json');
    const rows = statement.all('x', 1) as { seq: number }[];
    expect(rows.sort((a, b) => a.seq - b.seq)).toEqual(expected);
  });

  it('is not used where a column is REAL, BLOB or an expression, for a RETURNING list, or for a column list in its own order', () => {
    expect(ctx.rows('SELECT * FROM t').form).toBe('raw');
    expect(ctx.rows('SELECT seq, count(*) AS n FROM j').form).toBe('raw');
    expect(ctx.rows('UPDATE j SET name = name RETURNING seq, name').form).toBe('raw');
    expect(ctx.rows('SELECT name, seq FROM j ORDER BY seq').form).toBe('raw');
  });
});

it('comes raw where the JSON form cannot be prepared (a star over two tables with equal names)', () => {
  db.exec(`CREATE TABLE a (seq INTEGER, name TEXT); CREATE TABLE b (seq INTEGER, name TEXT);
    INSERT INTO a VALUES (1, 'a'); INSERT INTO b VALUES (1, 'b');`);
  const sql = 'SELECT * FROM a JOIN b USING (seq)';
  const statement = ctx.rows(sql);
  expect(statement.form).toBe('raw');
  expect(statement.get()).toEqual(db.prepare(sql).get());
});
