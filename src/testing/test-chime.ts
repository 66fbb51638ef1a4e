/**
 * Testing helpers: an in-process Chime on a temporary SQLite file with a virtual clock, so an
 * app's tests can schedule a reminder for 30 minutes ahead and make it fire now (seed 004's
 * time travel, for the whole scheduler rather than one function).
 *
 * @example
 * import { startTestChime } from '@chime-scheduler/server/testing';
 * const chime = await startTestChime({ appUrl: 'http://127.0.0.1:8000' });
 * await new SchedulerClient({ baseUrl: chime.url }).scheduleJob('r1', { dueTime: '30m', data: {} });
 * await chime.clock.advance(30 * 60_000); // the callback reaches the app now
 * await chime.close();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../core/clock.js';
import type { TaskDefinition } from '../core/tasks.js';
import type { Scope } from '../http/auth.js';
import { createLogger } from '../server/logger.js';
import { resolveServerOptions, type ServerOptions } from '../server/options.js';
import { signToken } from '../server/secrets.js';
import { startServer, type ChimeServer } from '../server/start-server.js';

export { VirtualClock } from '../core/clock.js';

export interface TestChimeOptions extends Partial<ServerOptions> {
  /** @default a VirtualClock at the current time */
  clock?: VirtualClock;
  /** Tasks to run in-process. */
  taskDefinitions?: readonly TaskDefinition[];
}

export interface TestChime extends ChimeServer {
  readonly clock: VirtualClock;
  /** A bearer token for /api/v1. */
  token(scope?: Scope): Promise<string>;
}

export async function startTestChime(options: TestChimeOptions = {}): Promise<TestChime> {
  const { clock = new VirtualClock(), taskDefinitions, ...overrides } = options;
  const dir = mkdtempSync(join(tmpdir(), 'chime-testing-'));
  const secret = 'chime-testing-secret-0123456789abcdef';
  const resolved: ServerOptions = {
    ...resolveServerOptions({}, {}),
    port: 0,
    store: `sqlite:${join(dir, 'chime.db')}`,
    dataDir: dir,
    jwtSecret: secret,
    logLevel: 'error',
    ...overrides,
  };
  const server = await startServer(resolved, { clock, tasks: taskDefinitions, logger: createLogger(resolved.logLevel) });
  return {
    ...server,
    clock,
    token: (scope: Scope = 'admin') => signToken({ secret, scope, expiresInSeconds: 3600, subject: 'test' }),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
