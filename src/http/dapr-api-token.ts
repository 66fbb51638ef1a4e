/**
 * `DAPR_API_TOKEN`, as the Dapr runtime enforces it (pkg/http's APITokenAuthMiddleware):
 * with a token configured, every request to the Dapr-style API must carry it in the
 * `dapr-api-token` header, or gets a 401. Dapr exempts only `GET /v1.0/healthz` and
 * `GET /v1.0/healthz/outbound`; `/v1.0/metadata` needs the token, as in Dapr. Routes outside
 * the Dapr API (`/api/v1`, which has its own bearer tokens, `/healthz`) are not affected.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ChimeError } from '../core/errors.js';

const EXEMPT = new Set(['/v1.0/healthz', '/v1.0/healthz/outbound']);

export function requireDaprApiToken(app: FastifyInstance, token: string): void {
  const expected = Buffer.from(token);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!.replace(/\/+$/, '');
    if (!path.startsWith('/v1.0/') && !path.startsWith('/v1.0-alpha1/') && path !== '/v1.0') return;
    if (request.method === 'GET' && EXEMPT.has(path)) return;
    const given = request.headers['dapr-api-token'];
    const value = Buffer.from(typeof given === 'string' ? given : '');
    if (value.length !== expected.length || !timingSafeEqual(value, expected)) {
      throw new ChimeError('DAPR_API_TOKEN_INVALID', 'invalid api token: send the server\'s DAPR_API_TOKEN in the dapr-api-token header', { field: 'dapr-api-token' });
    }
  });
}
