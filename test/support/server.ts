/** An in-process Chime server on a temporary SQLite file, for engine and API tests. */
import { VirtualClock, type Clock } from '../../src/core/clock.js';
import type { TaskDefinition } from '../../src/core/tasks.js';
import type { Scope } from '../../src/http/auth.js';
import { createLogger, type Logger } from '../../src/server/logger.js';
import { signToken } from '../../src/server/secrets.js';
import { resolveServerOptions, type RawOptions, type ServerOptions } from '../../src/server/options.js';
import { startServer, type ChimeServer } from '../../src/server/start-server.js';
import { waitFor } from './receiver.js';
import { freshStoreSpec } from './store-backend.js';
import { tempDir } from './temp.js';

export interface TestServerOptions extends Partial<ServerOptions> {
  clock?: Clock;
  taskDefinitions?: readonly TaskDefinition[];
  /** @default a logger at `logLevel` (error) writing to stderr */
  logger?: Logger;
}

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

/** A bearer token for the test servers (they use TEST_JWT_SECRET). */
export async function testToken(scope: Scope = 'admin', expiresInSeconds = 3600): Promise<string> {
  return signToken({ secret: TEST_JWT_SECRET, scope, expiresInSeconds, subject: 'test' });
}

export async function startTestServer(options: TestServerOptions = {}): Promise<ChimeServer> {
  const { clock, taskDefinitions, logger, ...overrides } = options;
  const base = resolveServerOptions({} as RawOptions, {});
  const resolved: ServerOptions = {
    ...base,
    port: 0,
    // No gRPC API unless a test asks for one (grpcPort: 0 picks a free port).
    grpcPort: null,
    store: freshStoreSpec(),
    dataDir: tempDir(),
    jwtSecret: TEST_JWT_SECRET,
    logLevel: 'error',
    nodeId: `test-${Math.random().toString(36).slice(2, 8)}`,
    ...overrides,
  };
  const server = await startServer(resolved, {
    clock,
    logger: logger ?? createLogger(resolved.logLevel),
    tasks: taskDefinitions,
    // In-process test servers sign in through the API; a link per server is only noise.
    printLoginLink: () => {},
  });
  if (clock instanceof VirtualClock) clock.setSettler(() => server.engine.whenSettled());
  return server;
}

/**
 * Advances a virtual clock in steps, letting each step's callbacks finish and their outcomes
 * land before the next.
 */
export async function advanceInSteps(server: ChimeServer, clock: VirtualClock, steps: number, stepMs: number): Promise<void> {
  for (let i = 0; i < steps; i++) {
    await clock.advance(stepMs);
    await waitFor(() => server.engine.activeJobs === 0, 5000, 'callbacks to finish');
    await server.engine.flush();
  }
}
