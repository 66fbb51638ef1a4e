/**
 * The API docs UI at /docs loads on its first request (http/api-docs.ts): nothing of Swagger
 * UI is loaded by a server that was never asked for it, and once asked it serves what it
 * served when registered at start-up: the page, its assets (with caching), the server's own
 * OpenAPI document as JSON and YAML, and the main server's 404 shape.
 */
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChimeServer } from '../../src/server/start-server.js';
import { startTestServer } from '../support/server.js';

/** Whether Node has loaded any file of @fastify/swagger-ui (a CommonJS package) in this process. */
const swaggerUiLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/@fastify/swagger-ui/'));

describe('the API docs UI', () => {
  let server: ChimeServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('is not loaded until /docs is asked for, then serves the page', async () => {
    expect((await server.app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
    expect(swaggerUiLoaded()).toBe(false);
    for (const url of ['/docs', '/docs/']) {
      const page = await server.app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('swagger-initializer.js');
    }
    expect(swaggerUiLoaded()).toBe(true);
  });

  it("serves the server's own document as JSON and YAML", async () => {
    const openapi = (await server.app.inject({ url: '/openapi.json' })).json();
    const json = await server.app.inject({ url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual(openapi);
    expect(json.json().paths).toHaveProperty(['/v1.0/jobs/{name}']);
    const yaml = await server.app.inject({ url: '/docs/yaml' });
    expect(yaml.statusCode).toBe(200);
    expect(yaml.headers['content-type']).toContain('application/x-yaml');
    expect(parseYaml(yaml.body)).toEqual(openapi);
  });

  it('serves the assets with validators, and HEAD, and redirects without a body', async () => {
    const css = await server.app.inject({ url: '/docs/static/swagger-ui.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(Number(css.headers['content-length'])).toBe(css.rawPayload.length);
    expect(css.rawPayload.length).toBeGreaterThan(10_000);
    const etag = String(css.headers.etag);
    const again = await server.app.inject({ url: '/docs/static/swagger-ui.css', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    const head = await server.app.inject({ method: 'HEAD', url: '/docs/static/swagger-ui.css' });
    expect(head.statusCode).toBe(200);
    expect(head.rawPayload.length).toBe(0);
    const redirect = await server.app.inject({ url: '/docs/static/index.html' });
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe('/docs/');
    expect(redirect.headers['content-type']).toBeUndefined();
    // Each reply still carries the main server's request id.
    expect(css.headers['x-request-id']).toBeDefined();
  });

  it("answers a failure inside with the main server's 500", async () => {
    const app = server.app as unknown as { swagger: () => unknown };
    const swagger = app.swagger;
    app.swagger = () => {
      throw new Error('no document');
    };
    try {
      const failed = await server.app.inject({ url: '/docs/json' });
      expect(failed.statusCode).toBe(500);
      expect(failed.json()).toMatchObject({ error: 'INTERNAL', message: 'internal error' });
    } finally {
      app.swagger = swagger;
    }
    expect((await server.app.inject({ url: '/docs/json' })).statusCode).toBe(200);
  });

  it("answers an unknown path under /docs with the main server's 404", async () => {
    const missing = await server.app.inject({ url: '/docs/no-such-file.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'NOT_FOUND', message: 'no route for GET /docs/no-such-file.js' });
  });
});
