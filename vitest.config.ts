import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests talk to real processes, files and servers, so they run in forked workers with
// generous timeouts; timing-sensitive cases use the VirtualClock.
//
// The engine, platform and HTTP suites run once per store backend (CHIME_TEST_STORE), so
// every behaviour is checked on SQLite (in process and on its own thread), PostgreSQL and
// Redis; the rest run once.
const PER_BACKEND = ['test/engine/**/*.test.ts', 'test/platform/**/*.test.ts', 'test/http/**/*.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    // At least two files at a time, even on a 2-core machine (Vitest's default is one fewer
    // than the cores): most files wait on servers, sockets and timers rather than compute, and
    // every file has its own SQLite files, PostgreSQL schemas, Redis prefixes and ports.
    // Measured on 2 cores beside a process spinning one of them: 845 s with one worker, 590 s
    // with two.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    setupFiles: ['test/support/setup.ts'],
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'], env: { CHIME_TEST_STORE: 'sqlite' } } },
      // The SQLite store on its own thread (`?thread=on`): the same suites through the worker.
      { extends: true, test: { name: 'sqlite-thread', include: PER_BACKEND, env: { CHIME_TEST_STORE: 'sqlite-thread' } } },
      { extends: true, test: { name: 'postgres', include: PER_BACKEND, env: { CHIME_TEST_STORE: 'postgres' } } },
      { extends: true, test: { name: 'redis', include: PER_BACKEND, env: { CHIME_TEST_STORE: 'redis' } } },
    ],
  },
});
