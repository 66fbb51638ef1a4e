#!/usr/bin/env node
/**
 * The offsets the store-aligned clock measures to a store server on this machine, whose clock
 * is this process's own: every one should be 0. Starts `samples` aligned clocks (each takes
 * its best of three round trips, as a node does at start and every 30 s) and counts the
 * offsets it got. Run it beside a CPU hog to see what a busy machine does to the estimate.
 *
 *   node scripts/measure-store-clock-offsets.mjs [store=postgres://postgres@127.0.0.1:5432/test] [samples=3000]
 *   node scripts/measure-store-clock-offsets.mjs redis://127.0.0.1:6379
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-store-clock-offsets.mjs    another build
 *
 * Run `npm run build` first (in the checkout measured).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { createStore } = await import(join(root, 'dist/index.js'));
const { StoreAlignedClock } = await import(join(root, 'dist/runtime/store-clock.js'));
const { SystemClock } = await import(join(root, 'dist/core/clock.js'));

const spec = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/test';
const samples = Number(process.argv[3] ?? 3000);
const store = await createStore(spec);
await store.open();
try {
  const counts = new Map();
  for (let i = 0; i < samples; i++) {
    const clock = new StoreAlignedClock(new SystemClock(), () => store.serverTime());
    await clock.start();
    clock.stop();
    counts.set(clock.offset, (counts.get(clock.offset) ?? 0) + 1);
    // A few ms apart, at no particular phase of the millisecond.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
  }
  const offsets = Object.fromEntries([...counts].sort(([a], [b]) => a - b));
  console.log(JSON.stringify({ store: new URL(spec).protocol.replace(':', ''), samples, offsets }));
} finally {
  await store.close();
}
