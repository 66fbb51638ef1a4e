/**
 * The server's JWT secret. Without configuration the first start creates one in the data
 * directory (mode 0600), and `chime token` signs with it, so the quick start stays two
 * commands. Two processes starting at once agree: the file is created exclusively.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Scope } from '../http/auth.js';

export const SECRET_FILE = 'jwt-secret';

/** The secret a server made in `dataDir`, or null when there is none (never creates one). */
export function readSecret(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, SECRET_FILE), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function loadOrCreateSecret(dataDir: string): string {
  return loadOrCreateSecretFile(dataDir, SECRET_FILE, () => randomBytes(32).toString('hex'));
}

/** Reads `dataDir/file`, creating it (0600) with `generate()` on first use; shared by every generated secret. */
export function loadOrCreateSecretFile(dataDir: string, file: string, generate: () => string): string {
  const path = join(dataDir, file);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${generate()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(path, 'utf8').trim();
}

export interface TokenRequest {
  secret: string;
  scope: Scope;
  /** Seconds until it expires. */
  expiresInSeconds: number;
  subject: string;
  issuer?: string;
  audience?: string;
}

export async function signToken(request: TokenRequest): Promise<string> {
  let jwt = new SignJWT({ scope: request.scope })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.subject)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + request.expiresInSeconds);
  if (request.issuer) jwt = jwt.setIssuer(request.issuer);
  if (request.audience) jwt = jwt.setAudience(request.audience);
  return jwt.sign(new TextEncoder().encode(request.secret));
}
