/**
 * Browser sessions for the dashboard. A session opens from a one-time login link (a short-lived
 * JWT signed with the server's secret, `purpose: "dashboard-login"`, as `chime serve` and
 * `chime token --login-link` print) or from a pasted API token, and then lives in an HttpOnly,
 * SameSite=Strict cookie that names a random session id: the browser never holds a token
 * JavaScript could read.
 *
 * Every state-changing request made with the cookie must carry the session's CSRF token in the
 * `x-chime-csrf` header (the synchronizer-token pattern): a cross-site form can make the browser
 * send the cookie, never the header. Requests with an `Authorization` header do not use the
 * cookie and need no CSRF token.
 *
 * Sessions live in this process's memory: a restart signs everybody out (they log in again);
 * behind a load balancer, pin a browser to one node.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ChimeError } from '../core/errors.js';
import type { Authenticator, Principal } from './auth.js';

export const SESSION_COOKIE = 'chime_session';
export const CSRF_HEADER = 'x-chime-csrf';
/** A session lasts 12 hours (or until its token expires, if sooner). */
export const SESSION_MS = 12 * 3_600_000;
/** Sessions held at once; the oldest goes first beyond it. */
const MAX_SESSIONS = 10_000;

export interface DashboardSession {
  id: string;
  principal: Principal;
  csrfToken: string;
  expiresAt: number;
}

export class DashboardSessions {
  private readonly sessions = new Map<string, DashboardSession>();
  /** Login tokens already used (by `jti`), until they expire: a link opens one session. */
  private readonly usedLogins = new Map<string, number>();

  constructor(
    private readonly auth: Authenticator,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session from a login-link token (one use) or any API token. */
  async open(token: string): Promise<DashboardSession> {
    const { principal, expiresAt, loginId } = await this.auth.verifyForSession(token);
    const now = this.now();
    if (loginId !== null) {
      for (const [id, until] of this.usedLogins) if (until <= now) this.usedLogins.delete(id);
      if (this.usedLogins.has(loginId)) {
        throw new ChimeError('UNAUTHORIZED', 'this login link was already used; print a new one with `chime token --login-link`');
      }
      this.usedLogins.set(loginId, expiresAt);
    }
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const session: DashboardSession = {
      id: randomBytes(32).toString('base64url'),
      principal,
      csrfToken: randomBytes(32).toString('base64url'),
      // A login link's own life is minutes; the session it opens lasts the session length.
      expiresAt: now + SESSION_MS,
    };
    if (loginId === null && expiresAt < session.expiresAt) session.expiresAt = expiresAt;
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, or null. */
  get(id: string | undefined): DashboardSession | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    return session;
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  /**
   * The principal of a cookie-authenticated request; a state-changing one must carry the
   * session's CSRF token.
   */
  principalOf(id: string | undefined, method: string, csrfHeader: string | string[] | undefined): Principal {
    const session = this.get(id);
    if (!session) throw new ChimeError('UNAUTHORIZED', 'the dashboard session ended; log in again');
    if (!SAFE_METHODS.has(method) && !sameToken(session.csrfToken, csrfHeader)) {
      throw new ChimeError('CSRF_REJECTED', `a state-changing request with the session cookie needs the ${CSRF_HEADER} header of that session`);
    }
    return session.principal;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
