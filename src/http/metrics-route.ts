/** `GET /metrics`: the Prometheus text exposition of the server's registry. */
import type { FastifyInstance } from 'fastify';

export interface MetricsSource {
  readonly contentType: string;
  render(): Promise<string>;
}

export function registerMetricsRoute(app: FastifyInstance, metrics: MetricsSource): void {
  app.get(
    '/metrics',
    {
      // A scrape every few seconds is no news: no request line for it even at debug.
      logLevel: 'warn',
      schema: {
        tags: ['Health'],
        summary: 'Prometheus metrics (text exposition format); see docs/operations.md',
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()),
  );
}
