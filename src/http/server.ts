/**
 * The HTTP server: Fastify with schema-first routes. Route schemas drive validation and the
 * OpenAPI document served at /openapi.json.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DaprJobs } from '../engine/dapr-jobs.js';
import type { Authenticator } from './auth.js';
import { requireDaprApiToken } from './dapr-api-token.js';
import { registerDaprRoutes } from './dapr-routes.js';
import { installErrorHandling } from './error-format.js';
import { registerHealthRoutes, type HealthSource } from './health-routes.js';
import { registerReminderRoutes } from './reminder-routes.js';
import { registerV1Routes, type Platform } from './v1-routes.js';
import { installValidation } from './validation.js';

export interface HttpDeps {
  daprJobs: DaprJobs;
  platform: Platform;
  auth: Authenticator;
  health: HealthSource;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  version: string;
  logError: (error: unknown) => void;
  /** DAPR_API_TOKEN: required on the Dapr-style API when set. */
  daprApiToken?: string | null;
}

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimit,
    // Job names may be long and percent-encoded.
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  installValidation(app);
  installErrorHandling(app, deps.logError);
  if (deps.daprApiToken) requireDaprApiToken(app, deps.daprApiToken);
  // Dapr clients often send JSON without a content type (curl -d); treat every body as JSON.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    // An empty body is null: routes whose body is optional accept null, the others refuse it.
    if (text.length === 0) return done(null, null);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(error as Error, undefined);
    }
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
  registerHealthRoutes(app, deps.health);
  registerDaprRoutes(app, deps.daprJobs);
  registerReminderRoutes(app, deps.daprJobs);
  await registerV1Routes(app, deps.platform, deps.auth);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
