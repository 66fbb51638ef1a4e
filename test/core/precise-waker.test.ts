import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { preciseWakerRunning, SystemClock } from '../../src/core/clock.js';
import { monotonicMicros, PreciseWaker } from '../../src/core/precise-waker.js';

const distWaker = new URL('../../dist/core/precise-waker.js', import.meta.url).href;

async function readyWaker(): Promise<PreciseWaker> {
  const waker = PreciseWaker.tryStart();
  if (!waker) throw new Error('no waker thread');
  while (!waker.ready) await new Promise((resolve) => setTimeout(resolve, 5));
  return waker;
}

/** Sets timers `spacingMs` apart, one after the other fired; resolves with how many fired early. */
async function timersInTurn(clock: SystemClock, count: number, spacingMs: number): Promise<number> {
  let early = 0;
  for (let i = 0; i < count; i++) {
    const at = Date.now() + spacingMs;
    await new Promise<void>((resolve) =>
      clock.setTimer(at, () => {
        if (Date.now() < at) early++;
        resolve();
      }),
    );
  }
  return early;
}

// One file of its own: the waker thread is shared by the process, and the first test needs
// a process where no clock has started it yet.
describe('SystemClock wake-ups', () => {
  it('auto: spins while spinning is cheap, starts the waker thread once it cost 100 ms in a second', async () => {
    const clock = new SystemClock();
    // Five timers 20 ms apart spin about 2 ms each: 10 ms, far under the budget.
    expect(await timersInTurn(clock, 5, 20)).toBe(0);
    expect(preciseWakerRunning()).toBe(false);
    // Timers 3 ms apart spend 1-2 ms of every 3 spinning: past 100 ms within a second, after
    // 70 timers or so (more on a busy machine, where some timeouts fire too late to spin).
    let early = 0;
    for (let i = 0; i < 3_000 && !preciseWakerRunning(); i++) early += await timersInTurn(clock, 1, 3);
    expect(early).toBe(0);
    expect(preciseWakerRunning()).toBe(true);
    // From here on timers wait on the thread, still never early.
    expect(await timersInTurn(clock, 30, 3)).toBe(0);
  });

  it.each(['thread', 'spin'] as const)('%s: never early, a cancelled timer never fires', async (wakeUps) => {
    const clock = new SystemClock(wakeUps);
    expect(await timersInTurn(clock, 30, 4)).toBe(0);
    let fired = false;
    clock.setTimer(Date.now() + 3, () => (fired = true)).cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(false);
  });
});

describe('PreciseWaker', () => {
  it('wakes each waiter once its instant has come, earliest first, and not a cancelled one', async () => {
    const waker = await readyWaker();
    const start = monotonicMicros();
    const woke: [string, bigint][] = [];
    const done = new Promise<void>((resolve) => {
      waker.wakeAtMicros(start + 9_000n, () => {
        woke.push(['c', monotonicMicros()]);
        resolve();
      });
    });
    waker.wakeAtMicros(start + 3_000n, () => woke.push(['a', monotonicMicros()]));
    const cancel = waker.wakeAtMicros(start + 1_000n, () => woke.push(['x', monotonicMicros()]));
    waker.wakeAtMicros(start + 6_000n, () => woke.push(['b', monotonicMicros()]));
    cancel();
    await done;
    expect(woke.map(([name]) => name)).toEqual(['a', 'b', 'c']);
    expect(woke[0]![1]).toBeGreaterThanOrEqual(start + 3_000n);
    expect(woke[1]![1]).toBeGreaterThanOrEqual(start + 6_000n);
    expect(woke[2]![1]).toBeGreaterThanOrEqual(start + 9_000n);
  });

  it('wakes at once for an instant already past, and again for one set after the thread posted', async () => {
    const waker = await readyWaker();
    await new Promise<void>((resolve) => waker.wakeAtMicros(monotonicMicros() - 1_000n, resolve));
    await new Promise<void>((resolve) => waker.wakeAtMicros(monotonicMicros() + 2_000n, resolve));
  });

  it('does not keep a process alive once nothing waits', () => {
    // The built module (npm run build): a child process of plain Node loads it.
    const program = `
      const { PreciseWaker, monotonicMicros } = await import(${JSON.stringify(distWaker)});
      const waker = PreciseWaker.tryStart();
      while (!waker.ready) await new Promise((resolve) => setTimeout(resolve, 5));
      waker.wakeAtMicros(monotonicMicros() + 20_000n, () => console.log('woke'));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('woke');
  });
});
