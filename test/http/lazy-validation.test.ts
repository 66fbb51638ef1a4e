/**
 * Route validators compile on a route's first request (validation.ts). These tests keep what
 * eager compilation gave: every route's schema compiles, and a route's first request is
 * validated exactly as later ones (same 400, same field), whichever request comes first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAllValidators } from '../../src/http/validation.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { startTestServer, testToken } from '../support/server.js';

describe('lazily compiled route validators', () => {
  let server: ChimeServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer();
    auth = { authorization: `Bearer ${await testToken('admin')}` };
  });

  afterAll(async () => {
    await server.close();
  });

  it('refuses a bad first request with the field named, and the same on the next', async () => {
    const bad = { method: 'POST' as const, url: '/v1.0/jobs/lazy-a', payload: { dueTime: 5 } };
    const first = await server.app.inject(bad);
    const second = await server.app.inject(bad);
    expect(first.statusCode).toBe(400);
    expect(first.json()).toEqual(second.json());
    expect(JSON.stringify(first.json())).toContain('dueTime');
  });

  it('accepts a good first request after a bad one on the same route', async () => {
    await server.app.inject({ method: 'GET', url: '/api/v1/jobs?limit=abc', headers: auth });
    const good = await server.app.inject({ method: 'GET', url: '/api/v1/jobs?limit=5', headers: auth });
    expect(good.statusCode).toBe(200);
  });

  it('compiles every route schema (a schema Ajv refuses fails here, not on a user request)', () => {
    expect(compileAllValidators(server.app)).toBeGreaterThan(50);
  });
});
