#!/usr/bin/env node
/**
 * How late a worker thread wakes from `Atomics.wait` with a timeout, and how long its message
 * then takes to reach the event loop: the two delays the precise waker (src/core/precise-waker.ts)
 * adds to a timer. `rounds` wake-ups 3 ms ahead, one at a time; prints p50/p99 of each in µs.
 *
 *   node scripts/measure-thread-wake.mjs [rounds=500]
 *
 * Needs no build: the thread is the waker's loop reduced to one instant.
 */
import { Worker } from 'node:worker_threads';

const rounds = Number(process.argv[2] ?? 500);
const shared = new SharedArrayBuffer(24);
const control = new Int32Array(shared, 0, 1);
const times = new BigInt64Array(shared, 8, 2); // [wake at (ns), when the thread woke (ns)]
const worker = new Worker(
  `
const { workerData, parentPort } = process.getBuiltinModule('node:worker_threads');
const control = new Int32Array(workerData, 0, 1);
const times = new BigInt64Array(workerData, 8, 2);
for (;;) {
  const generation = Atomics.load(control, 0);
  const at = Atomics.load(times, 0);
  if (at === 0n) { Atomics.wait(control, 0, generation); continue; }
  const waitMs = Number(at - process.hrtime.bigint()) / 1e6;
  if (waitMs > 0) { Atomics.wait(control, 0, generation, waitMs); continue; }
  Atomics.store(times, 1, process.hrtime.bigint());
  parentPort.postMessage(0);
  Atomics.wait(control, 0, generation);
}
`,
  { eval: true, workerData: shared },
);
await new Promise((resolve) => setTimeout(resolve, 200));
const threadLate = [];
const toLoop = [];
const set = (at) => {
  Atomics.store(times, 0, at);
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
};
for (let i = 0; i < rounds; i++) {
  const target = process.hrtime.bigint() + 3_000_000n;
  set(target);
  await new Promise((resolve) => worker.once('message', resolve));
  const received = process.hrtime.bigint();
  const woke = Atomics.load(times, 1);
  threadLate.push(Number(woke - target) / 1e3);
  toLoop.push(Number(received - woke) / 1e3);
  set(0n);
}
const rank = (values, p) => values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(p * values.length) - 1)].toFixed(0);
console.log(`thread woke after the instant: p50 ${rank(threadLate, 0.5)} p99 ${rank(threadLate, 0.99)} µs`);
console.log(`its message to the event loop: p50 ${rank(toLoop, 0.5)} p99 ${rank(toLoop, 0.99)} µs`);
process.exit(0);
