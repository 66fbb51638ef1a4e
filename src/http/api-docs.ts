/**
 * The API documentation UI at /docs (Swagger UI, from @fastify/swagger-ui), loaded on its first
 * request rather than at start-up. Why: registering the plugin loads @fastify/static, yaml and
 * glob from node_modules (the plugin reads its pages beside its own code, so it stays outside
 * the bundle) and lists its static folder: about a sixth of `chime serve`'s spawn-to-ready
 * (docs/benchmarks.md, "Start-up: the API docs UI on first use"), for a page most deployments
 * never open. The plugin runs in a Fastify instance of its own, built once, and the main
 * server hands it each /docs request; its document is the main server's (`app.swagger()`).
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

const API_DOCS_PREFIX = '/docs';

/** Headers of the inner reply that the outer one sets for itself. */
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

async function buildDocsApp(app: FastifyInstance): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  const docs = Fastify({ logger: false });
  // Swagger UI declares @fastify/swagger as a dependency; the document it serves is the main
  // server's, handed over by transformSpecification (for /docs/json and /docs/yaml alike).
  await docs.register(swagger, { openapi: { openapi: '3.0.3', info: { title: 'Chime', version: '0' } } });
  await docs.register(swaggerUi, {
    routePrefix: API_DOCS_PREFIX,
    uiConfig: { deepLinking: true },
    transformSpecification: () => app.swagger(),
    transformSpecificationClone: false,
  });
  await docs.ready();
  return docs;
}

/** Serves /docs and everything under it through the Swagger UI instance, built on first use. */
export function registerApiDocs(app: FastifyInstance): void {
  let docs: Promise<FastifyInstance> | null = null;
  const docsApp = (): Promise<FastifyInstance> => {
    docs ??= buildDocsApp(app).catch((error: unknown) => {
      docs = null; // the next request tries again
      throw error;
    });
    return docs;
  };
  const forward = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const inner = await (await docsApp()).inject({ method: 'GET', url: request.url, headers: request.headers });
    // Not found is the main server's answer, in the documented error shape.
    if (inner.statusCode === 404) {
      reply.callNotFound();
      return reply;
    }
    // A failure inside is the main server's too: logged, and answered in the documented shape.
    if (inner.statusCode >= 500) throw new Error(`the API docs UI answered ${inner.statusCode}: ${inner.body.slice(0, 200)}`);
    for (const [name, value] of Object.entries(inner.headers)) {
      if (value !== undefined && !HOP_HEADERS.has(name)) reply.header(name, value);
    }
    reply.code(inner.statusCode);
    // A redirect or a 304 has no body; a Buffer, even empty, would get a content type.
    return inner.rawPayload.length === 0 ? reply.send() : reply.send(inner.rawPayload);
  };
  app.get(API_DOCS_PREFIX, { schema: { hide: true } }, forward);
  app.get(`${API_DOCS_PREFIX}/*`, { schema: { hide: true } }, forward);
  app.addHook('onClose', async () => {
    if (docs) await (await docs.catch(() => null))?.close();
  });
}
