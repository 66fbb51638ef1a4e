#!/usr/bin/env node
/**
 * Sums up a `node --trace-gc` log: scavenges (count, median, p90, max pause, total) and
 * mark-compacts (count, total, heap size before them). Pauses are the main-thread figure V8
 * prints first ("7.5 / 0.0 ms"). Lines that are not GC traces are ignored.
 *
 *   SERVER_NODE_FLAGS=--trace-gc node scripts/measure-burst-cpu.mjs 30000 > run.log
 *   node scripts/gc-summary.mjs run.log [more.log ...]
 */
import { readFileSync } from 'node:fs';

const TRACE = /: (Scavenge|Mark-Compact)\S* ([\d.]+) \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;

const quantile = (sorted, q) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
const seconds = (ms) => Math.round(ms) / 1000;

for (const file of process.argv.slice(2)) {
  const scavenges = [];
  const compacts = [];
  const heapsBefore = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = TRACE.exec(line);
    if (!match) continue;
    const pause = Number(match[3]);
    if (match[1] === 'Scavenge') scavenges.push(pause);
    else {
      compacts.push(pause);
      heapsBefore.push(Number(match[2]));
    }
  }
  scavenges.sort((a, b) => a - b);
  heapsBefore.sort((a, b) => a - b);
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      file,
      scavenges: { count: scavenges.length, medianMs: quantile(scavenges, 0.5), p90Ms: quantile(scavenges, 0.9), maxMs: scavenges.at(-1) ?? null, totalS: seconds(sum(scavenges)) },
      markCompacts: { count: compacts.length, totalS: seconds(sum(compacts)), heapBeforeMedianMB: quantile(heapsBefore, 0.5), heapBeforeMaxMB: heapsBefore.at(-1) ?? null },
    }),
  );
}
