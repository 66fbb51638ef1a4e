#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

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
