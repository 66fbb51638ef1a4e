#!/usr/bin/env node
/**
 * formatRfc3339 (dist/core/time-spec.js) against `new Date(ms).toISOString()`, ns per call, in
 * one process, alternated over rounds: instants as a callback burst prints them (a job's
 * occurrence, then now, advancing a few µs a call), and instants spread over years (a new day
 * at nearly every call, the cache's worst case).
 *
 *   npm run build && node scripts/measure-format-instant.mjs [calls=1000000] [rounds=5]
 */
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { formatRfc3339 } = await import(`${root}/dist/core/time-spec.js`);
const calls = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 5);

const base = Date.UTC(2026, 11, 6, 3, 0);
const burst = Float64Array.from({ length: calls }, (_, i) => (i % 2 === 0 ? base : base + Math.floor(i / 400)));
const spread = Float64Array.from({ length: calls }, (_, i) => base + ((i * 7_919_993_017) % (20 * 365 * 86_400_000)));
const dateIso = (ms) => new Date(ms).toISOString();

function nsPerCall(format, instants) {
  let length = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < instants.length; i++) length += format(instants[i]).length;
  const ns = Number(process.hrtime.bigint() - started) / instants.length;
  if (length === 0) throw new Error('nothing printed');
  return Math.round(ns);
}

const result = { formatRfc3339: { burst: [], spread: [] }, toISOString: { burst: [], spread: [] } };
for (let round = 0; round < rounds; round++) {
  for (const [name, format] of [['toISOString', dateIso], ['formatRfc3339', formatRfc3339]]) {
    result[name].burst.push(nsPerCall(format, burst));
    result[name].spread.push(nsPerCall(format, spread));
  }
}
console.log(JSON.stringify({ calls, rounds, nsPerCall: result }));
