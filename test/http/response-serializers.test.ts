/**
 * Response serializers built on a route's first reply (response-serializers.ts) give the
 * output Fastify's eager ones give: the schema's fields only, the same on every reply.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyResponseSerializers } from '../../src/http/response-serializers.js';

function appWith(buildSerializer?: typeof lazyResponseSerializers) {
  const app = Fastify(buildSerializer ? { schemaController: { compilersFactory: { buildSerializer } } } : {});
  const response = { 200: { type: 'object', properties: { id: { type: 'string' }, n: { type: 'integer' } } } };
  app.get('/thing', { schema: { response } }, async () => ({ id: 'a', n: 2.0, secret: 'not in the schema' }));
  return app;
}

describe('lazily built response serializers', () => {
  it('serialize as the eager ones do, on the first reply and after', async () => {
    const eager = appWith();
    const lazy = appWith(lazyResponseSerializers);
    const expected = (await eager.inject({ method: 'GET', url: '/thing' })).body;
    expect(expected).toBe('{"id":"a","n":2}');
    expect((await lazy.inject({ method: 'GET', url: '/thing' })).body).toBe(expected);
    expect((await lazy.inject({ method: 'GET', url: '/thing' })).body).toBe(expected);
    await Promise.all([eager.close(), lazy.close()]);
  });
});
