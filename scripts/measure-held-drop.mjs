#!/usr/bin/env node
/**
 * What dropping started jobs from the front of the claim loop's held array costs on this
 * Node.js, by the ways it has been done (docs/benchmarks.md, "The held jobs' walk, linear
 * again"): each freed slot drops `drop` jobs from the front of `held` held jobs and the next
 * claim appends as many, `freed` times.
 *
 *   node scripts/measure-held-drop.mjs [freed=20000] [rounds=3]
 *
 * Prints each case's wall time in ms per round, for held arrays of 50, 400 (the most a worker
 * at 50 slots holds) and 3,200. Compare cases within a round, not against another machine's.
 */
const freed = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 3);

const cases = {
  'shift() each': (held, drop) => {
    for (let k = 0; k < drop; k++) held.shift();
  },
  'splice(0, drop)': (held, drop) => {
    held.splice(0, drop);
  },
  'copyWithin(0, drop)': (held, drop) => {
    held.copyWithin(0, drop);
    held.length -= drop;
  },
};

function run(dropFront, size, drop) {
  const held = Array.from({ length: size }, (_, i) => ({ id: String(i) }));
  const started = performance.now();
  for (let n = 0; n < freed; n++) {
    dropFront(held, drop);
    for (let k = 0; k < drop; k++) held.push({ id: String(n) });
  }
  if (held.length !== size) throw new Error(`held ${held.length}, expected ${size}`);
  return performance.now() - started;
}

for (let round = 1; round <= rounds; round++) {
  for (const size of [50, 400, 3_200]) {
    for (const drop of [1, 5]) {
      const times = Object.entries(cases).map(([name, dropFront]) => `${name} ${run(dropFront, size, drop).toFixed(1)}`);
      console.log(`round ${round}, held ${size}, drop ${drop}: ${times.join(', ')} ms`);
    }
  }
}
