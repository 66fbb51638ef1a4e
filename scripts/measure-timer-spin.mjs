#!/usr/bin/env node
/**
 * What SystemClock's precise timers cost while they wait out their last milliseconds
 * (src/core/clock.ts): one timer at a time, each due `spacingMs` after the last fired, as a
 * claim loop arms them for jobs due that far apart. Prints the process's CPU time, the
 * young-generation collections (and their total pause), how long after the wall clock
 * reached each due time the timer fired (p50/p99/max, ms) and how many fired early.
 *
 *   node scripts/measure-timer-spin.mjs [timers=1000] [spacingMs=5] [wakeUps=auto]
 *
 * `wakeUps` is SystemClock's: `spin` (setImmediate turns to the end), `thread` (the precise
 * waker's thread from the start) or `auto` (spin until spinning cost 100 ms in a second). The
 * process's CPU time includes the waker's thread. The timers start 200 ms after the clock is
 * made, time enough for that thread to boot.
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-timer-spin.mjs    another build
 *
 * Run `npm run build` first (in the checkout measured). Nothing else runs in the process: the
 * figures are the timer's own.
 */
import { join } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { SystemClock } = await import(join(root, 'dist/index.js'));
const timers = Number(process.argv[2] ?? 1_000);
const spacingMs = Number(process.argv[3] ?? 5);
const wakeUps = process.argv[4] ?? 'auto';

const scavenges = { count: 0, ms: 0 };
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MINOR) continue;
    scavenges.count++;
    scavenges.ms += entry.duration;
  }
});
observer.observe({ entryTypes: ['gc'] });

const clock = new SystemClock(wakeUps);
await new Promise((resolve) => setTimeout(resolve, 200));
const after = new Float64Array(timers);
let early = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
await new Promise((resolve) => {
  let fired = 0;
  const arm = () => {
    const at = clock.now() + spacingMs;
    clock.setTimer(at, () => {
      // The wall clock with its fraction: how far past the due millisecond's start this ran.
      after[fired++] = performance.timeOrigin + performance.now() - at;
      if (Date.now() < at) early++;
      if (fired < timers) arm();
      else resolve();
    });
  };
  arm();
});
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await new Promise((resolve) => setTimeout(resolve, 50));
observer.disconnect();

const sorted = Array.from(after).sort((a, b) => a - b);
const rank = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)].toFixed(3);
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(`${timers} timers ${spacingMs} ms apart (${wakeUps}) in ${wallMs.toFixed(0)} ms: CPU ${cpuMs.toFixed(0)} ms (${((100 * cpuMs) / wallMs).toFixed(1)}% of a core)`);
console.log(`young-generation collections: ${scavenges.count}, ${scavenges.ms.toFixed(1)} ms in all`);
// performance.timeOrigin + now() and Date.now() may disagree by a fraction of a ms; early is by Date.now().
console.log(`fired after the due time: p50 ${rank(0.5)} p99 ${rank(0.99)} max ${rank(1)} ms; early: ${early}`);
