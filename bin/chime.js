#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { bundleIsCurrent, loadBundle } from './load-bundle.js';

// dist/chime.cjs is the CLI in one file (scripts/bundle-server.mjs; `npm run build` makes it),
// which starts in about two thirds of the time its 1,400 or so modules take one by one. A
// bundle older than the last compile (`tsc` run alone, without the bundling step) would run
// stale code: then, or when there is none, dist/ is loaded as it is. The bundle loads with the
// compiled code the build kept for it (load-bundle.js).
const distFile = (name) => fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
const { main } = bundleIsCurrent(distFile('chime.cjs'), distFile('.tsbuildinfo'))
  ? loadBundle(distFile('chime.cjs')).exports
  : await import('../dist/cli/main.js');

// A failed command exits at once with its code (docs/operations.md, "Exit codes"): a server
// that could not start must not linger on a half-open store or timer.
main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number' && code !== 0) process.exit(code);
  },
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
