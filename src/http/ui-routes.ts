/**
 * The web dashboard at `/ui` (built by `npm run build` into dist/ui, served from the package:
 * no CDN) and its sessions: `/ui/login?token=` (the one-time link `chime serve` prints) and
 * `/ui/session` (who is signed in, the CSRF token; POST a token to sign in, DELETE to sign out).
 * The dashboard itself talks only to the public API (`/api/v1`, `/v1.0`) and the live feed.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ChimeError } from '../core/errors.js';
import { formatRfc3339 } from '../core/time-spec.js';
import { noRouteError } from './error-format.js';
import { SESSION_COOKIE, type DashboardSession, type DashboardSessions } from './dashboard-sessions.js';

/** dist/ui next to the compiled server; from src/ (tests run TypeScript directly) the built copy in dist/ui. */
export function dashboardRoot(): string | null {
  for (const candidate of ['../ui/', '../../dist/ui/']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${path}index.html`)) return path;
  }
  return null;
}

const tags = ['Dashboard'];
/** Everything from this origin only: no CDN, no inline script, no framing (clickjacking). */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export async function registerUiRoutes(app: FastifyInstance, sessions: DashboardSessions, root: string | null): Promise<void> {
  const sessionView = (session: DashboardSession) => ({
    subject: session.principal.subject,
    scope: session.principal.scope,
    csrf_token: session.csrfToken,
    expires_at: formatRfc3339(session.expiresAt),
  });
  const setCookie = (reply: FastifyReply, session: DashboardSession) =>
    reply.setCookie(SESSION_COOKIE, session.id, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: 'auto',
      maxAge: Math.floor((session.expiresAt - Date.now()) / 1000),
    });

  app.get('/ui', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui/'));

  app.get<{ Querystring: { token: string } }>(
    '/ui/login',
    { schema: { tags, summary: 'Open a dashboard session from a one-time login link, then go to the dashboard', querystring: Type.Object({ token: Type.String({ minLength: 1 }) }) } },
    async (request, reply) => {
      try {
        setCookie(reply, await sessions.open(request.query.token));
      } catch (error) {
        // A browser following the link gets a page it can show; any other client the documented
        // JSON error shape.
        if (!(error instanceof ChimeError) || !request.headers.accept?.includes('text/html')) throw error;
        return reply.status(error.status).type('text/html; charset=utf-8').send(loginFailedPage(error.message));
      }
      // 303: the browser follows with a GET and the token leaves the address bar and history.
      return reply.status(303).header('referrer-policy', 'no-referrer').redirect('/ui/');
    },
  );

  app.get('/ui/session', { schema: { tags, summary: 'The signed-in dashboard session and its CSRF token (401 when none)' } }, async (request) => {
    const session = sessions.get(request.cookies[SESSION_COOKIE]);
    if (!session) throw new ChimeError('UNAUTHORIZED', 'not signed in: open the login link `chime serve` printed, or paste a token');
    return sessionView(session);
  });

  app.post<{ Body: { token: string } }>(
    '/ui/session',
    {
      schema: {
        tags,
        summary: 'Sign in to the dashboard with a token (sets the session cookie)',
        body: Type.Object({ token: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const session = await sessions.open(request.body.token);
      setCookie(reply, session);
      return sessionView(session);
    },
  );

  app.delete('/ui/session', { schema: { tags, summary: 'Sign out' } }, async (request, reply) => {
    const id = request.cookies[SESSION_COOKIE];
    // The CSRF check: a cross-site page must not sign the user out either.
    sessions.principalOf(id, 'DELETE', request.headers['x-chime-csrf']);
    sessions.close(id!);
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).status(204).send();
  });

  if (!root) {
    app.get('/ui/', { schema: { hide: true } }, async (_request, reply) =>
      reply.status(503).type('text/plain').send('The dashboard is not built: run `npm run build` (it builds dashboard/ into dist/ui).'),
    );
    return;
  }
  await app.register(async (ui) => {
    // A path-style link (/ui/dead-letters, typed or pasted from elsewhere) names a view: the
    // dashboard's routes live in the hash, so send the browser there rather than a JSON 404. A
    // missing file (a name with a dot) or a non-browser client still gets the 404.
    ui.setNotFoundHandler((request, reply) => {
      const [path, query] = request.url.split('?', 2) as [string, string | undefined];
      const view = path.slice('/ui/'.length);
      if (request.method !== 'GET' || view.includes('.') || !request.headers.accept?.includes('text/html')) {
        throw noRouteError(request);
      }
      return reply.redirect(`/ui/#/${view}${query ? `?${query}` : ''}`);
    });
    await ui.register(fastifyStatic, {
      root,
      prefix: '/',
    // Our own cache headers below (the plugin's default would be max-age=0 for everything).
    cacheControl: false,
    // Vite names assets by content hash: they never change, so browsers keep them.
    setHeaders(res, path) {
      const page = path.endsWith('index.html');
      res.setHeader('cache-control', page ? 'no-cache' : 'public, max-age=31536000, immutable');
      if (page) res.setHeader('content-security-policy', CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      },
    });
  }, { prefix: '/ui' });
}

function loginFailedPage(message: string): string {
  const text = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>Chime: sign-in failed</title>
<p>Sign-in failed: ${text}</p><p><a href="/ui/">Open the dashboard</a> to sign in with a token.</p>`;
}
