#!/usr/bin/env node
/**
 * CPU instructions to load the bundle (dist/chime.cjs) and run `chime --version`, under
 * `valgrind --tool=callgrind`, a count machine noise does not move: without a code cache, with
 * a cache taken at compile time (what `v8-compile-cache` keeps), and with one taken after the
 * bundle's top level ran (what `npm run build` keeps, bin/load-bundle.js), beside `node -e 0`.
 *
 *   node scripts/measure-bundle-load.mjs
 *
 * Run `npm run build` first. Every process runs with `--single-threaded` (no background compile
 * threads, so the counts repeat), and the caches are made under it too: V8 rejects a cache made
 * under other flags. The caches go to a temporary folder; dist/ is left as it is.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBundle, runBundle } from '../bin/load-bundle.js';

const BUNDLE = fileURLToPath(new URL('../dist/chime.cjs', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const [mode, argument] = process.argv.slice(2);

if (mode === '--make') {
  // argument: where to write; the kind is in its name (compile-time or after-run).
  const script = compileBundle(BUNDLE);
  if (argument.includes('after-run')) runBundle(script, BUNDLE);
  writeFileSync(argument, script.createCachedData());
} else if (mode === '--load') {
  // argument: a cache file, or 'none'.
  const script = compileBundle(BUNDLE, argument === 'none' ? undefined : readFileSync(argument));
  if (script.cachedDataRejected) throw new Error(`V8 rejected ${argument}`);
  const { main } = runBundle(script, BUNDLE);
  process.exitCode = await main(['--version']);
} else {
  const folder = mkdtempSync(join(tmpdir(), 'chime-bundle-load-'));
  const node = (args) => {
    const run = spawnSync(process.execPath, ['--single-threaded', ...args], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
  };
  const instructions = (args) => {
    const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', ...args], { encoding: 'utf8' });
    const collected = /Collected : (\d+)/.exec(run.stderr)?.[1];
    if (run.status !== 0 || !collected) throw new Error(`valgrind failed: ${run.stderr.slice(-2000)}`);
    return Number(collected);
  };
  try {
    const compileTime = join(folder, 'compile-time.v8cache');
    const afterRun = join(folder, 'after-run.v8cache');
    node([SELF, '--make', compileTime]);
    node([SELF, '--make', afterRun]);
    const floor = instructions(['-e', '0']);
    const rows = [
      ['node -e 0', floor],
      ['bundle, no cache', instructions([SELF, '--load', 'none'])],
      ['bundle, cache taken at compile time', instructions([SELF, '--load', compileTime])],
      ['bundle, cache taken after its top level ran', instructions([SELF, '--load', afterRun])],
    ];
    const millions = (n) => `${(n / 1e6).toFixed(1)} M`;
    for (const [name, count] of rows) console.log(`${name.padEnd(46)} ${millions(count).padStart(10)}  above node -e 0: ${millions(count - floor)}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
