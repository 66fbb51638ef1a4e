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
