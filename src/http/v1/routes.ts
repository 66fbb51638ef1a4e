/**
 * The job platform API (`/api/v1`, seed 003). Every route needs a bearer token; each declares
 * the scope it needs (`config.scope`), checked before the body is even parsed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DaprJobs } from '../../services/dapr-jobs.js';
import type { PlatformJobs } from '../../services/platform-jobs.js';
import type { PlatformQueues } from '../../services/platform-queues.js';
import type { PlatformSchedules } from '../../services/platform-schedules.js';
import type { Overview } from '../../services/overview.js';
import type { PlatformTasks } from '../../services/platform-tasks.js';
import type { RecentEvents } from '../../services/recent-events.js';
import type { Authenticator, Principal } from '../auth.js';
import './bearer.js';
import { SESSION_COOKIE, type DashboardSessions } from '../dashboard-sessions.js';
import { registerV1DeadLetterRoutes } from './dead-letter-routes.js';
import { registerV1EventRoutes } from './event-routes.js';
import { registerV1OverviewRoutes, type OverviewSource } from './overview-routes.js';
import { registerV1JobRoutes } from './job-routes.js';
import { registerV1QueueTaskRoutes } from './queue-task-routes.js';
import { registerV1ScheduleRoutes } from './schedule-routes.js';

export interface Platform {
  jobs: PlatformJobs;
  schedules: PlatformSchedules;
  queues: PlatformQueues;
  tasks: PlatformTasks;
  overview: Overview;
  /** Dapr-style jobs' dead letters, under the platform's auth. */
  daprJobs: DaprJobs;
}

/** The live feed and overview (and, with the dashboard on, its cookie sessions). */
export interface V1Extras {
  recent: RecentEvents;
  overview: Omit<OverviewSource, 'overview'>;
  /** null: only bearer tokens (the dashboard is off). */
  sessions: DashboardSessions | null;
}

export async function registerV1Routes(app: FastifyInstance, platform: Platform, auth: Authenticator, extras: V1Extras): Promise<void> {
  const { sessions } = extras;
  /** A bearer token when the request has one; else the dashboard's session cookie (CSRF-checked). */
  const principalOf = async (request: FastifyRequest): Promise<Principal> => {
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (sessions && !request.headers.authorization && cookie) {
      return sessions.principalOf(cookie, request.method, request.headers['x-chime-csrf']);
    }
    return auth.authenticate(request.headers.authorization);
  };
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        auth.authorize(await principalOf(request), request.routeOptions.config.scope ?? 'admin');
      });
      registerV1JobRoutes(scope, platform.jobs);
      registerV1ScheduleRoutes(scope, platform.schedules);
      registerV1QueueTaskRoutes(scope, platform);
      registerV1DeadLetterRoutes(scope, platform.daprJobs);
      registerV1EventRoutes(scope, extras.recent);
      registerV1OverviewRoutes(scope, { ...extras.overview, overview: platform.overview });
    },
    { prefix: '/api/v1' },
  );
}
