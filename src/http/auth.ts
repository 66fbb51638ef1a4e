/**
 * Bearer-token authentication for `/api/v1`: HS256 with a shared secret, or any algorithm
 * the keys at a JWKS URL allow. Scopes: `read` < `write` < `admin` (each includes the ones
 * before it), taken from the `scope` claim (space-separated) or a `scopes`/`scp` array.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ChimeError } from '../core/errors.js';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface AuthOptions {
  /** HS256 secret. */
  secret?: string;
  /** JWKS endpoint; when set, tokens are checked against its keys. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

/** The `purpose` claim of a one-time dashboard login token: it opens a session, it is no API token. */
export const LOGIN_PURPOSE = 'dashboard-login';

export interface Principal {
  subject: string | null;
  scope: Scope;
}

/** Verified tokens kept, so a client sending one token per request pays one verification. */
const CACHE_ENTRIES = 1000;
const CACHE_MS = 60_000;

export class Authenticator {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly verified = new Map<string, { principal: Principal; validUntil: number }>();

  constructor(private readonly options: AuthOptions) {
    if (options.jwksUrl) this.key = createRemoteJWKSet(new URL(options.jwksUrl));
    else if (options.secret) this.key = new TextEncoder().encode(options.secret);
    else throw new Error('authentication needs a secret or a JWKS URL');
  }

  /** The caller behind an `Authorization` header, or UNAUTHORIZED saying what is wrong. */
  async authenticate(header: string | undefined): Promise<Principal> {
    if (!header) throw unauthorized('missing Authorization header; send "Authorization: Bearer <token>" (`chime token` prints one)');
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw unauthorized('Authorization header must be "Bearer <token>"');
    const token = match[1]!;
    const cached = this.verified.get(token);
    if (cached && cached.validUntil > Date.now()) return cached.principal;
    const principal = await this.verify(token);
    if (this.verified.size >= CACHE_ENTRIES) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, principal);
    return principal.principal;
  }

  private async verify(token: string): Promise<{ principal: Principal; validUntil: number }> {
    const payload = await this.verifiedPayload(token);
    if (payload.purpose === LOGIN_PURPOSE) throw unauthorized('this is a dashboard login token: open it at /ui/login, or use `chime token` for the API');
    // Trusted until it expires, and for at most a minute (a JWKS key may be rotated out).
    const expires = payload.exp === undefined ? Number.POSITIVE_INFINITY : payload.exp * 1000;
    return {
      principal: { subject: payload.sub ?? null, scope: highestScope(payload) },
      validUntil: Math.min(expires, Date.now() + CACHE_MS),
    };
  }

  /**
   * For a dashboard session: a login token (whose `jti` makes it one-time) or an API token.
   * `expiresAt` is the token's own expiry (infinite when it has none).
   */
  async verifyForSession(token: string): Promise<{ principal: Principal; expiresAt: number; loginId: string | null }> {
    const payload = await this.verifiedPayload(token);
    const login = payload.purpose === LOGIN_PURPOSE;
    if (login && typeof payload.jti !== 'string') throw unauthorized('login token has no jti claim');
    return {
      principal: { subject: payload.sub ?? null, scope: highestScope(payload) },
      expiresAt: payload.exp === undefined ? Number.POSITIVE_INFINITY : payload.exp * 1000,
      loginId: login ? (payload.jti as string) : null,
    };
  }

  private async verifiedPayload(token: string): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      const verifyOptions = {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.jwksUrl ? undefined : ['HS256'],
      };
      payload =
        typeof (this.key as JWTVerifyGetKey) === 'function'
          ? (await jwtVerify(token, this.key as JWTVerifyGetKey, verifyOptions)).payload
          : (await jwtVerify(token, this.key as Uint8Array, verifyOptions)).payload;
    } catch (error) {
      throw unauthorized(describeJoseError(error), error);
    }
    return payload;
  }

  /** FORBIDDEN unless the principal's scope includes `needed`. */
  authorize(principal: Principal, needed: Scope): void {
    if (SCOPES.indexOf(principal.scope) < SCOPES.indexOf(needed)) {
      throw new ChimeError('FORBIDDEN', `this needs the "${needed}" scope; the token has "${principal.scope}"`);
    }
  }
}

function unauthorized(message: string, cause?: unknown): ChimeError {
  return new ChimeError('UNAUTHORIZED', message, { cause });
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is not valid';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token claim "${error.claim}" is not valid: ${error.reason}`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm is not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key in the JWKS matches the token';
  return 'token is malformed';
}

function highestScope(payload: JWTPayload): Scope {
  const raw = payload.scope ?? payload.scopes ?? payload.scp;
  const granted = (typeof raw === 'string' ? raw.split(/\s+/) : Array.isArray(raw) ? raw.map(String) : []).map((s) =>
    s.replace(/^chime:/, ''),
  );
  let best = -1;
  for (const scope of granted) best = Math.max(best, SCOPES.indexOf(scope as Scope));
  if (best < 0) throw unauthorized('token grants no Chime scope (read, write or admin)');
  return SCOPES[best]!;
}
