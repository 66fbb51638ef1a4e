/**
 * What every `/api/v1` route file shares: the OpenAPI security entry and the `scope` route
 * option. Kept apart from routes.ts, which registers the route files, so that the route files
 * need not import the module that imports them.
 */
import type { Scope } from '../auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a /api/v1 route needs. */
    scope?: Scope;
  }
}

/** OpenAPI: every /api/v1 route takes a bearer JWT. */
export const bearer = [{ bearerAuth: [] }];
