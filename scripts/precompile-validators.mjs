#!/usr/bin/env node
// Writes dist/http/route-validators.cjs: every HTTP route's request validator as Ajv standalone
// code, so a fresh server's first request to a route takes it instead of compiling its schema
// (src/http/precompiled-validators.ts says why and how it is keyed). Run after tsc: it builds
// the server from dist/ on a throwaway SQLite file (listening on a free port for a moment) to
// collect the schemas exactly as the routes register them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const { startServer } = await import(join(dist, 'server/start-server.js'));
const { resolveServerOptions } = await import(join(dist, 'server/options.js'));
const { createLogger } = await import(join(dist, 'server/logger.js'));
const { routeSchemas } = await import(join(dist, 'http/validation.js'));
const { precompiledModuleSource, PRECOMPILED_FILE } = await import(join(dist, 'http/precompiled-validators.js'));

const dir = mkdtempSync(join(tmpdir(), 'chime-precompile-'));
try {
  const options = {
    ...resolveServerOptions({}, {}),
    port: 0,
    host: '127.0.0.1',
    grpcPort: null,
    store: `sqlite:${join(dir, 'chime.db')}`,
    dataDir: dir,
    jwtSecret: 'precompile-0123456789abcdef0123456789abcdef',
    logLevel: 'error',
  };
  const server = await startServer(options, { logger: createLogger('error'), printLoginLink: () => {} });
  try {
    const schemas = routeSchemas(server.app);
    writeFileSync(join(dist, 'http', PRECOMPILED_FILE), precompiledModuleSource(schemas));
    console.log(`precompiled ${schemas.length} route validators into dist/http/${PRECOMPILED_FILE}`);
  } finally {
    await server.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
