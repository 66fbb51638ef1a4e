#!/usr/bin/env node
/**
 * When a CPU profile's time went, for a start-up profile: the busiest stacks of each step of
 * the timeline, the time under named functions (inclusive, with when they first and last ran),
 * and, for the bundle (dist/chime.cjs), the time under its modules' top levels by package.
 * `node dist-bench/profile-shares.js` answers "where" over a whole profile; this answers "when".
 *
 *   CHIME_MEASURE_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/pu --cpu-prof-interval=200" \
 *     node scripts/measure-backlog.mjs restart /tmp/m1.db 1
 *   node scripts/profile-timeline.mjs /tmp/pu/<file>.cpuprofile [stepMs=25] [untilMs=800] [fn ...]
 *
 * Times are profile time (from the profiler's start, with its overhead), not wall time.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [file, stepArg = '25', untilArg = '800', ...functions] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-timeline.mjs <file.cpuprofile> [stepMs] [untilMs] [function ...]');
  process.exit(2);
}
const stepMs = Number(stepArg);
const untilMs = Number(untilArg);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** Each sample: its time (ms from the start), its duration (ms) and its stack, innermost first. */
const samples = [];
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i];
  const stack = [];
  for (let node = id; node !== undefined; node = parentOf.get(node)) stack.push(byId.get(node).callFrame);
  samples.push({ ms: (at - profile.startTime) / 1000, durationMs: profile.timeDeltas[i] / 1000, stack });
});

console.log(`timeline (${stepMs} ms steps, the two commonest outer stacks of each):`);
const steps = new Map();
for (const { ms, stack } of samples) {
  if (ms > untilMs) continue;
  const label = stack.map((frame) => frame.functionName).filter((name) => name && name !== '(root)').reverse().slice(0, 4).join('>') || '(root)';
  const step = Math.floor(ms / stepMs);
  const counts = steps.get(step) ?? new Map();
  counts.set(label, (counts.get(label) ?? 0) + 1);
  steps.set(step, counts);
}
for (const [step, counts] of [...steps].sort((a, b) => a[0] - b[0])) {
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([label, n]) => `${Math.round((100 * n) / total)}% ${label}`);
  console.log(`${String(step * stepMs).padStart(5)}  ${top.join(' | ')}`);
}

const named = functions.length > 0 ? functions : ['wrapSafe', 'readFileUtf8', '__require', 'main', 'startServer', '(garbage collector)'];
console.log('\nunder named functions (inclusive ms, first and last sample):');
for (const name of named) {
  const hits = samples.filter((sample) => sample.stack.some((frame) => frame.functionName === name));
  const ms = hits.reduce((sum, sample) => sum + sample.durationMs, 0);
  const span = hits.length > 0 ? `from ${hits[0].ms.toFixed(0)} to ${hits.at(-1).ms.toFixed(0)}` : 'never';
  console.log(`${ms.toFixed(1).padStart(8)}  ${name} (${span})`);
}

// The bundle heads each module with a comment naming its file: map a line to its package.
const bundle = fileURLToPath(new URL('../dist/chime.cjs', import.meta.url));
const marks = [];
readFileSync(bundle, 'utf8').split('\n').forEach((line, index) => {
  const match = /^\/\/ ((?:dist|node_modules)\/\S+)/.exec(line);
  if (match) marks.push([index, match[1]]);
});
const packageAt = (line) => {
  let low = 0;
  let high = marks.length - 1;
  let found = '?';
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (marks[mid][0] <= line) {
      found = marks[mid][1];
      low = mid + 1;
    } else high = mid - 1;
  }
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(found)?.[1] ?? found.split('/').slice(0, 2).join('/');
};
console.log('\nthe bundle\'s module top levels (under __require), ms by package:');
const byPackage = new Map();
for (const { stack, durationMs } of samples) {
  if (!stack.some((frame) => frame.functionName === '__require')) continue;
  const frame = stack.find((f) => f.url.endsWith('chime.cjs') && f.functionName !== '__require' && f.functionName !== '__init');
  if (!frame) continue;
  const name = packageAt(frame.lineNumber);
  byPackage.set(name, (byPackage.get(name) ?? 0) + durationMs);
}
for (const [name, ms] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${ms.toFixed(1).padStart(8)}  ${name}`);
