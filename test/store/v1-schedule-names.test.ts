/**
 * `/api/v1` schedule names are unique in the store, between nodes too: two store objects
 * opened on one SQLite file, PostgreSQL schema or Redis prefix (two nodes) create one name
 * many times at once, and exactly one create succeeds.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { createStore } from '../../src/store/open-store.js';
import type { NewSchedule, Store } from '../../src/store/store.js';
import { callbackTemplate, firstJob, newSchedule, taskTemplate } from '../support/fixtures.js';
import { dropCreatedStores, freshStoreSpec, type TestBackend } from '../support/store-backend.js';

const BACKENDS: readonly TestBackend[] = ['sqlite', 'postgres', 'redis'];

function v1Schedule(name: string, overrides: Partial<NewSchedule> = {}): NewSchedule {
  return newSchedule({ name, dialect: 'v1', template: taskTemplate(), ...overrides });
}

async function namesOf(store: Store): Promise<string[]> {
  const page = await store.listSchedules({ dialects: ['v1'], limit: 1000 });
  return page.items.map((s) => s.name).sort();
}

/** Fires every create at once and sorts the outcomes: created ids, and the codes of the refusals. */
async function race(creates: readonly (() => Promise<unknown>)[]): Promise<{ created: number; refused: string[] }> {
  const settled = await Promise.allSettled(creates.map((create) => create()));
  const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason instanceof ChimeError ? s.reason.code : String(s.reason)] : []));
  return { created: settled.length - refused.length, refused };
}

afterAll(dropCreatedStores);

describe.each(BACKENDS)('v1 schedule names on %s, from two nodes', (backend) => {
  let nodes: Store[];

  beforeEach(async () => {
    const spec = freshStoreSpec(backend);
    nodes = [await createStore(spec), await createStore(spec)];
    for (const node of nodes) await node.open();
  });

  afterEach(async () => {
    for (const node of nodes) await node.close();
  });

  const create = (node: Store, schedule: NewSchedule) => () => node.createSchedule(schedule, firstJob(schedule), 'create');

  it('of 40 concurrent creates of one name, one is created and the others are SCHEDULE_EXISTS', async () => {
    const creates = Array.from({ length: 40 }, (_, i) => create(nodes[i % 2]!, v1Schedule('my schedule')));
    const outcome = await race(creates);
    expect(outcome.created).toBe(1);
    expect(outcome.refused).toEqual(Array.from({ length: 39 }, () => 'SCHEDULE_EXISTS'));
    expect(await namesOf(nodes[0]!)).toEqual(['my schedule']);
  });

  it('keeps several names unique in one burst, HTTP-target (callback) schedules too', async () => {
    const names = ['a', 'b', 'c'];
    const creates = Array.from({ length: 30 }, (_, i) => {
      const template = i % 3 === 2 ? callbackTemplate() : taskTemplate();
      return create(nodes[i % 2]!, v1Schedule(names[i % 3]!, { template }));
    });
    const outcome = await race(creates);
    expect(outcome.created).toBe(3);
    expect(new Set(outcome.refused)).toEqual(new Set(['SCHEDULE_EXISTS']));
    expect(await namesOf(nodes[1]!)).toEqual(names);
  });

  it('refuses a rename to a taken name, frees a name on delete, and leaves other dialects alone', async () => {
    const [a, b] = nodes as [Store, Store];
    const first = v1Schedule('first');
    const second = v1Schedule('second');
    await create(a, first)();
    await create(b, second)();
    const rename = b.updateSchedule(second.id, { patch: { name: 'first' }, nextOccurrence: null, updatedAt: second.updatedAt });
    await expect(rename).rejects.toMatchObject({ code: 'SCHEDULE_EXISTS' });
    await b.updateSchedule(second.id, { patch: { name: 'renamed' }, nextOccurrence: null, updatedAt: second.updatedAt });
    // The old name is free after the rename, the new one taken.
    await create(a, v1Schedule('second'))();
    await expect(create(a, v1Schedule('renamed'))()).rejects.toMatchObject({ code: 'SCHEDULE_EXISTS' });
    expect(await a.deleteSchedule(first.id)).toBe(true);
    await create(b, v1Schedule('first'))();
    // A Dapr job may share a v1 schedule's name (the v1 rule is among v1 schedules).
    await create(a, newSchedule({ name: 'renamed' }))();
    expect(await namesOf(a)).toEqual(['first', 'renamed', 'second']);
  });
});
