/**
 * The HTTP server: Fastify with schema-first routes. Route schemas drive validation and the
 * OpenAPI document served at /openapi.json.
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DaprJobs } from '../services/dapr-jobs.js';
import type { FiringStats } from '../services/firing-stats.js';
import type { RecentEvents } from '../services/recent-events.js';
import { registerApiDocs } from './api-docs.js';
import type { Authenticator } from './auth.js';
import { DashboardSessions } from './dashboard-sessions.js';
import { requireDaprApiToken } from './dapr-api-token.js';
import { registerDaprRoutes } from './dapr/routes.js';
import { checkBody } from '../core/json-limits.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling, MAX_PARAM_LENGTH } from './error-format.js';
import { registerHealthRoutes, type HealthSource } from './health-routes.js';
import { registerMetricsRoute, type MetricsSource } from './metrics-route.js';
import { registerReminderRoutes } from './dapr/reminder-routes.js';
import { RequestLog } from './request-log.js';
import { lazyResponseSerializers } from './response-serializers.js';
import { dashboardRoot, registerUiRoutes } from './ui-routes.js';
import { registerV1Routes, type Platform } from './v1/routes.js';
import { installValidation } from './validation.js';

export interface HttpDeps {
  daprJobs: DaprJobs;
  platform: Platform;
  auth: Authenticator;
  health: HealthSource;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  version: string;
  /** The live feed's ring of the node's lifecycle events; closed with the server. */
  recent: RecentEvents;
  /** The overview's per-minute firing figures (platform.overview reads them); closed with the server. */
  firing: FiringStats;
  nodeId: string;
  /** Serve the web dashboard at /ui (`--no-ui` turns it off). */
  ui: boolean;
  /** Unexpected (500) errors, with the request's id. */
  logError: (error: unknown, requestId: string) => void;
  /** DAPR_API_TOKEN: required on the Dapr-style API when set. */
  daprApiToken?: string | null;
  /** The server's pino logger: request logs carry a request id (`req_id`). */
  logger?: FastifyBaseLogger;
  /** Served at GET /metrics when given. */
  metrics?: MetricsSource | null;
}

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // A caller's X-Request-Id is kept (and echoed), else Fastify numbers requests.
    requestIdHeader: 'x-request-id',
    logController: new RequestLog(),
    bodyLimit: deps.bodyLimit,
    // Job names may be long and percent-encoded.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors found before a route runs, in the documented error shape as well.
    frameworkErrors: frameworkErrorHandler(deps.logError),
    clientErrorHandler,
    return503OnClosing: true,
    forceCloseConnections: true,
    schemaController: { compilersFactory: { buildSerializer: lazyResponseSerializers } },
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installValidation(app);
  // Path parameters and query values meet the same text rules as bodies (a U+0000 in a job
  // name would otherwise reach PostgreSQL, which refuses it with an error).
  app.addHook('preValidation', async (request) => {
    checkBody(request.params);
    checkBody(request.query);
  });
  installErrorHandling(app, deps.logError);
  await app.register(cookie);
  const sessions = deps.ui ? new DashboardSessions(deps.auth) : null;
  if (deps.daprApiToken) requireDaprApiToken(app, deps.daprApiToken, sessions);
  // Dapr clients often send JSON without a content type (curl -d); treat every body as JSON.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    // An empty body is null: routes whose body is optional accept null, the others refuse it.
    if (text.length === 0) return done(null, null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return done(error as Error, undefined);
    }
    try {
      checkBody(parsed);
    } catch (error) {
      return done(error as Error, undefined);
    }
    done(null, parsed);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Chime',
        version: deps.version,
        description: 'Exact-time job scheduler: Dapr-style Jobs API, /api/v1 job platform.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  // The API docs UI renders the same document; its assets ship in the package (no CDN). It
  // loads on its first request (api-docs.ts).
  registerApiDocs(app);
  const { recent, firing } = deps;
  // The dashboard charts the last hour: it needs the firing stats from the start. The feed's
  // resume ring starts with the first live-feed client (services/recent-events.ts).
  if (sessions) firing.start();
  app.addHook('onClose', async () => {
    recent.close();
    firing.close();
  });
  registerHealthRoutes(app, deps.health);
  if (deps.metrics) registerMetricsRoute(app, deps.metrics);
  registerDaprRoutes(app, deps.daprJobs);
  registerReminderRoutes(app, deps.daprJobs);
  await registerV1Routes(app, deps.platform, deps.auth, {
    recent,
    sessions,
    overview: { health: deps.health, nodeId: deps.nodeId },
  });
  if (sessions) await registerUiRoutes(app, sessions, dashboardRoot());
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
