#!/usr/bin/env node
/**
 * Where a sampling heap profile's bytes were allocated: the functions (self) and the call
 * sites three frames deep that allocated the most, as shares of all sampled bytes. For
 * profiles that keep objects the collectors freed (scripts/measure-worker-cpu.mjs with
 * HEAP_PROFILE), these are allocation rates: what the young-generation collections cost.
 *
 *   node scripts/heap-profile-sites.mjs <file.heapprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node scripts/heap-profile-sites.mjs <file.heapprofile> [top]');
const top = Number(topArg ?? 25);
const { head } = JSON.parse(readFileSync(file, 'utf8'));

const frameName = ({ functionName, url, lineNumber }) =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/dist/, 'dist')}:${lineNumber + 1}`;

const bySelf = new Map();
const bySite = new Map();
let total = 0;
const walk = (node, stack) => {
  const here = [frameName(node.callFrame), ...stack];
  if (node.selfSize > 0) {
    total += node.selfSize;
    bySelf.set(here[0], (bySelf.get(here[0]) ?? 0) + node.selfSize);
    const site = here.slice(0, 3).join(' < ');
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, here);
};
walk(head, []);

const print = (title, map) => {
  console.log(title);
  for (const [name, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * bytes) / total).toFixed(1).padStart(6)}%  ${name}`);
  }
};
console.log(`${(total / 1024 / 1024).toFixed(1)} MiB sampled`);
print('by function (self):', bySelf);
print('by call site, three frames:', bySite);
