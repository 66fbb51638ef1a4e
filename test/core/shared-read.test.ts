/** SharedRead: callers that come during a read share the next one; nobody gets an older result than their request. */
import { describe, expect, it } from 'vitest';
import { SharedRead } from '../../src/core/shared-read.js';

/** A load whose calls the test ends one by one, each with the value of `state` when it ends. */
function heldLoads() {
  const pending: Array<() => void> = [];
  let state = 0;
  let calls = 0;
  const load = () => {
    calls++;
    return new Promise<number>((resolve, reject) =>
      pending.push(() => (state < 0 ? reject(new Error(`load failed at ${state}`)) : resolve(state))),
    );
  };
  return {
    load,
    calls: () => calls,
    set: (value: number) => (state = value),
    endNext: async () => {
      pending.shift()!();
      // Let the read's continuations (and the queued read's start) run.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

describe('SharedRead', () => {
  it('runs one read at a time, and the callers that came during it share the next', async () => {
    const loads = heldLoads();
    const shared = new SharedRead(loads.load);
    const first = shared.read();
    loads.set(1); // a write acknowledged after the first read began
    const during = [shared.read(), shared.read(), shared.read()];
    expect(loads.calls()).toBe(1);
    await loads.endNext();
    expect(await first).toBe(1);
    expect(loads.calls()).toBe(2);
    loads.set(2);
    await loads.endNext();
    // Every caller that came during the first read sees what was written before it asked.
    expect(await Promise.all(during)).toEqual([2, 2, 2]);
    expect(loads.calls()).toBe(2);
  });

  it('starts a read of its own for a caller that comes when none runs', async () => {
    const loads = heldLoads();
    const shared = new SharedRead(loads.load);
    const first = shared.read();
    await loads.endNext();
    await first;
    loads.set(7);
    const later = shared.read();
    expect(loads.calls()).toBe(2);
    await loads.endNext();
    expect(await later).toBe(7);
  });

  it('passes a failed read to its callers and goes on reading', async () => {
    const loads = heldLoads();
    const shared = new SharedRead(loads.load);
    const first = shared.read();
    const queued = shared.read();
    loads.set(-1);
    await loads.endNext();
    await expect(first).rejects.toThrow('load failed at -1');
    await loads.endNext();
    await expect(queued).rejects.toThrow('load failed at -1');
    loads.set(3);
    const after = shared.read();
    await loads.endNext();
    expect(await after).toBe(3);
  });

  it('turns a load that throws at once into a rejected read', async () => {
    let fail = true;
    const shared = new SharedRead(() => {
      if (fail) throw new Error('no store');
      return Promise.resolve('ok');
    });
    await expect(shared.read()).rejects.toThrow('no store');
    fail = false;
    expect(await shared.read()).toBe('ok');
  });
});
