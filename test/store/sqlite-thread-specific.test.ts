/**
 * What only the SQLite store on its own thread (src/store/sqlite/thread.ts) can get wrong: what
 * crosses between the threads, a thread that stops, and a process that must neither hang on
 * an idle store nor exit under a call in flight. The store contract runs on it in
 * sqlite-thread.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { CALLBACK_QUEUE } from '../../src/core/types.js';
import { modulePlanner } from '../../src/store/planners.js';
import { ThreadedSqliteStore } from '../../src/store/sqlite/thread.js';
import type { Lane } from '../../src/store/store.js';
import { T0, firstJob, newJob, newSchedule } from '../support/fixtures.js';
import * as plans from '../support/plans.mjs';
import { tempDbPath, tempDir } from '../support/temp.js';

const CALLBACKS: Lane = { target: 'callback' };

describe('SQLite store on its own thread', () => {
  let store: ThreadedSqliteStore;

  beforeEach(async () => {
    store = new ThreadedSqliteStore({ path: tempDbPath() });
    await store.open();
  });

  afterEach(async () => {
    await store.close();
  });

  it('refuses a planner it cannot rebuild on its thread, before anything is written', async () => {
    const s = newSchedule({ recurrence: { kind: 'every', everyMs: 1000 } });
    await store.createSchedule(s, firstJob(s), 'create');
    const closure = () => ({ deliver: true, next: null });
    await expect(store.claimDue({ lane: CALLBACKS, now: T0, limit: 1, owner: 'n1', leaseMs: 1000, planNext: closure })).rejects.toThrow(/occurrencePlanner\(\) or modulePlanner\(\)/);
    expect((await store.listJobs({ scheduleId: s.id, limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).items.map((j) => j.status)).toEqual(['pending']);
  });

  it('hands back a ChimeError with its code, HTTP status and field', async () => {
    const job = newJob({ queue: CALLBACK_QUEUE });
    await store.insertJobs([job]);
    const error = await store.insertJobs([job]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChimeError);
    expect(error).toMatchObject({ code: 'JOB_EXISTS', status: 409 });
  });

  it('answers STORE_UNAVAILABLE, in flight and after, once its thread has stopped', async () => {
    const s = newSchedule({ recurrence: { kind: 'every', everyMs: 1000 } });
    await store.createSchedule(s, firstJob(s), 'create');
    const exit = modulePlanner(new URL('../support/plans.mjs', import.meta.url), 'exitThread', plans.exitThread);
    await expect(store.claimDue({ lane: CALLBACKS, now: T0, limit: 1, owner: 'n1', leaseMs: 1000, planNext: exit })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('its thread stopped'),
    });
    expect(await store.health()).toMatchObject({ ok: false });
    await expect(store.getJob('any')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

describe('opening the SQLite store on its own thread', () => {
  it('fails with the thread\'s own error when the file cannot be opened, and leaves no thread behind', async () => {
    // A folder that is a file.
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const store = new ThreadedSqliteStore({ path: join(file, 'chime.db') });
    await expect(store.open()).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await store.health()).toMatchObject({ ok: false, detail: 'closed' });
  });
});

describe('a process using the SQLite store on its own thread', () => {
  it('gets the answer to a call with nothing else to wait for, closes a store, and exits with one left open', () => {
    const thread = new URL('../../dist/store/sqlite/thread.js', import.meta.url).href;
    // Without a reference while a call or the close is in flight the process would exit before
    // its answer; with one kept while idle it would never exit (execFileSync's timeout).
    const script = `
      const { ThreadedSqliteStore } = await import(${JSON.stringify(thread)});
      const store = new ThreadedSqliteStore({ path: ${JSON.stringify(tempDbPath())} });
      await store.open();
      console.log('queues', (await store.listQueues()).length);
      const closing = new ThreadedSqliteStore({ path: ${JSON.stringify(tempDbPath())} });
      await closing.open();
      await closing.close();
      console.log('closed');`;
    const file = join(tempDir(), 'one-call.mjs');
    writeFileSync(file, script);
    const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    expect(out.trim().split('\n')).toEqual(['queues 0', 'closed']);
  });
});
