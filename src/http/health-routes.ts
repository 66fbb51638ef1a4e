/**
 * Probes and Dapr's metadata endpoint (Dapr SDKs poll it before their first call).
 * `/livez`: the process serves HTTP (restart it when this fails). `/readyz` and `/healthz`: the
 * store answers, its migrations ran, the engine runs and the node is not draining (send it
 * traffic only then).
 */
import type { FastifyInstance } from 'fastify';
import { ChimeError } from '../core/errors.js';
import { errorBody } from './error-format.js';

export interface HealthSource {
  /** ok=false while the store is unreachable or the server drains. */
  check(): Promise<{ ok: boolean; detail?: string }>;
  metadata(): Record<string, unknown>;
}

export function registerHealthRoutes(app: FastifyInstance, health: HealthSource): void {
  const healthz = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    const state = await health.check().catch((error: unknown) => ({ ok: false, detail: String(error) }));
    if (state.ok) return reply.status(204).send();
    const error = new ChimeError('STORE_UNAVAILABLE', `not ready: ${state.detail ?? 'store unavailable'}`);
    return reply.status(503).send(errorBody(error, 'dapr'));
  };
  const schema = { tags: ['Health'], summary: '204 when ready, 503 with a reason when not' };
  app.get('/healthz', { schema }, healthz);
  app.get('/readyz', { schema }, healthz);
  app.get('/livez', { schema: { tags: ['Health'], summary: '204 while the process serves HTTP' } }, async (_request, reply) => reply.status(204).send());
  app.get('/v1.0/healthz', { schema }, healthz);
  // What the Python, Java, .NET and JS SDKs wait on before their first call (gRPC included).
  app.get('/v1.0/healthz/outbound', { schema }, healthz);
  app.get('/v1.0/metadata', { schema: { tags: ['Health'], summary: 'Dapr sidecar metadata' } }, async () => health.metadata());
}
