/**
 * The SQLite store's counting reads (the task job stats, a list's total) run on the scan
 * reader's thread (sqlite/scan-reader.ts), never on the store's own connection, whose thread
 * fires and delivers jobs; they read the last commit of any connection to the file; and
 * without a reader they still answer, on the store's connection.
 */
import Database from 'better-sqlite3';
import { afterEach, expect, it, vi } from 'vitest';
import { SqliteContext } from '../../src/store/sqlite/context.js';
import { ScanReader } from '../../src/store/sqlite/scan-reader.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { T0, callbackTemplate, newJob } from '../support/fixtures.js';
import { tempDbPath } from '../support/temp.js';

const opened: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const handle of opened.splice(0).reverse()) await handle.close();
  vi.restoreAllMocks();
});

async function openStore(path = tempDbPath()): Promise<SqliteStore> {
  const store = new SqliteStore({ path });
  await store.open();
  opened.push(store);
  return store;
}

const V1_PAGE = { dialect: 'v1', limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'desc' } as const;

it("counts on the reader's thread, and the store's connection prepares no count", async () => {
  const store = await openStore();
  await store.insertJobs([newJob(), newJob({ queue: 'reports' }), newJob({}, callbackTemplate())]);
  const prepared: string[] = [];
  const prepare = store.database.prepare.bind(store.database);
  vi.spyOn(store.database, 'prepare').mockImplementation(((sql: string) => (prepared.push(sql), prepare(sql))) as typeof prepare);
  const scanned = vi.spyOn(ScanReader.prototype, 'rows');
  const counted = vi.spyOn(ScanReader.prototype, 'value');

  const stats = await store.jobStats();
  const page = await store.listJobs({ ...V1_PAGE, queue: 'reports' });

  expect(stats.total).toBe(2);
  expect(stats.byQueue.reports?.total).toBe(1);
  expect(page.total).toBe(1);
  expect(page.items).toHaveLength(1);
  expect(scanned.mock.calls.map(([sql]) => sql).join('\n')).toMatch(/GROUP BY queue, status, priority/);
  expect(counted.mock.calls.map(([sql]) => sql)).toEqual([expect.stringMatching(/^SELECT COUNT\(\*\) FROM jobs/)]);
  expect(prepared.filter((sql) => /COUNT\(|GROUP BY|AVG\(/.test(sql))).toEqual([]);
});

it("reads another connection's commit", async () => {
  const path = tempDbPath();
  const store = await openStore(path);
  expect((await store.jobStats()).total).toBe(0);
  const other = await openStore(path);
  await other.insertJobs([newJob(), newJob()]);
  expect((await store.jobStats()).total).toBe(2);
  expect((await store.listJobs(V1_PAGE)).total).toBe(2);
});

it('keeps the event loop free while a scan walks', async () => {
  const store = await openStore();
  const context = (store as unknown as { context: SqliteContext }).context;
  await context.scanValue('SELECT 1'); // the reader's thread started
  let turns = 0;
  let walking = true;
  const tick = (): void => {
    turns++;
    if (walking) setImmediate(tick);
  };
  setImmediate(tick);
  // About half a second of SQLite's work at any machine speed this suite runs on; on the
  // store's own connection the loop would not turn once until it ended.
  const counted = await context.scanValue<number>('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT COUNT(*) FROM n');
  walking = false;
  expect(counted).toBe(3_000_000);
  expect(turns).toBeGreaterThan(1);
});

it("counts on the store's connection, with a warning, when the reader cannot open the file", async () => {
  const db = new Database(':memory:');
  opened.push({ close: () => void db.close() });
  db.exec('CREATE TABLE jobs (id TEXT); INSERT INTO jobs VALUES (1), (2), (3)');
  const readers: ScanReader[] = [];
  const context = new SqliteContext(db, () => {
    const reader = ScanReader.start(`${tempDbPath()}.missing`, 0);
    readers.push(reader);
    return reader;
  });
  const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);

  expect(await context.scanValue('SELECT COUNT(*) FROM jobs')).toBe(3);
  expect(await context.scanRows('SELECT id FROM jobs ORDER BY id')).toEqual([{ id: '1' }, { id: '2' }, { id: '3' }]);
  expect(readers).toHaveLength(1);
  expect(readers[0]!.failed).toBeInstanceOf(Error);
  expect(warned).toHaveBeenCalledTimes(1);
  expect(String(warned.mock.calls[0]![0])).toMatch(/scan reader stopped/);
  await context.stopScans();
});

it('answers a failing statement with its error, and goes on answering', async () => {
  const store = await openStore();
  const context = (store as unknown as { context: SqliteContext }).context;
  await expect(context.scanValue('SELECT COUNT(*) FROM no_such_table')).rejects.toThrow(/no such table/);
  expect(await context.scanValue('SELECT COUNT(*) FROM jobs')).toBe(0);
  await store.insertJobs([newJob({ runAt: T0 })]);
  expect(await context.scanValue('SELECT COUNT(*) FROM jobs')).toBe(1);
});
