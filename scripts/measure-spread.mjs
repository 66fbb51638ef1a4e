#!/usr/bin/env node
/**
 * What a property added after an object spread costs on this Node.js, against the other ways
 * to build the same object (docs/architecture.md, "Per-job code").
 *
 *   node scripts/measure-spread.mjs [objects=200000] [rounds=3]
 *
 * Each case builds `objects` objects of 17 fields from a fresh 12-field one; the figure is the
 * round's wall time in ms. Compare cases within a round, not against another machine's.
 */
const objects = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);

const source = (i) => ({ x: 1, a: i, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, j: 9, k: 10, l: 11 });
const cases = {
  'spread, then 5 new': (i) => ({ ...source(i), z1: 1, z2: 2, z3: 3, z4: 4, z5: 5 }),
  '5, then spread last': (i) => ({ z1: 1, z2: 2, z3: 3, z4: 4, z5: 5, ...source(i) }),
  'spread, then 1 existing': (i) => ({ ...source(i), a: 0 }),
  'Object.assign into 5': (i) => Object.assign({ z1: 1, z2: 2, z3: 3, z4: 4, z5: 5 }, source(i)),
  'every field named': (i) => {
    const s = source(i);
    return { x: s.x, a: s.a, b: s.b, c: s.c, d: s.d, e: s.e, f: s.f, g: s.g, h: s.h, j: s.j, k: s.k, l: s.l, z1: 1, z2: 2, z3: 3, z4: 4, z5: 5 };
  },
  'assigned after': (i) => {
    const s = source(i);
    s.z1 = 1;
    s.z2 = 2;
    s.z3 = 3;
    s.z4 = 4;
    s.z5 = 5;
    return s;
  },
};

console.log(`Node.js ${process.version}, ${objects} objects per case, ms per round`);
for (let round = 1; round <= rounds; round++) {
  const row = Object.entries(cases).map(([name, build]) => {
    let sum = 0;
    const startedAt = performance.now();
    for (let i = 0; i < objects; i++) sum += build(i).x;
    if (sum !== objects) throw new Error(`${name}: built the wrong objects`);
    return `${name}: ${(performance.now() - startedAt).toFixed(1)}`;
  });
  console.log(`round ${round}: ${row.join(' | ')}`);
}
