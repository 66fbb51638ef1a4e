/**
 * The job platform API (`/api/v1`, seed 003). Every route needs a bearer token; each declares
 * the scope it needs (`config.scope`), checked before the body is even parsed.
 */
import type { FastifyInstance } from 'fastify';
import type { PlatformJobs } from '../engine/platform-jobs.js';
import type { PlatformQueues } from '../engine/platform-queues.js';
import type { PlatformSchedules } from '../engine/platform-schedules.js';
import type { Store } from '../store/store.js';
import type { Authenticator, Scope } from './auth.js';
import { registerV1JobRoutes } from './v1-job-routes.js';
import { registerV1QueueTaskRoutes } from './v1-queue-task-routes.js';
import { registerV1ScheduleRoutes } from './v1-schedule-routes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a /api/v1 route needs. */
    scope?: Scope;
  }
}

export interface Platform {
  jobs: PlatformJobs;
  schedules: PlatformSchedules;
  queues: PlatformQueues;
  store: Store;
}

/** OpenAPI: every /api/v1 route takes a bearer JWT. */
export const bearer = [{ bearerAuth: [] }];

export async function registerV1Routes(app: FastifyInstance, platform: Platform, auth: Authenticator): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        const principal = await auth.authenticate(request.headers.authorization);
        auth.authorize(principal, request.routeOptions.config.scope ?? 'admin');
      });
      registerV1JobRoutes(scope, platform.jobs);
      registerV1ScheduleRoutes(scope, platform.schedules);
      registerV1QueueTaskRoutes(scope, platform);
    },
    { prefix: '/api/v1' },
  );
}
