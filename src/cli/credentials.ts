/** How CLI commands find the server and a bearer token for `/api/v1`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from '../http/auth.js';
import { defaultDataDir } from '../server/options.js';
import { SECRET_FILE, signToken } from '../server/secrets.js';

export interface CredentialFlags {
  server: string;
  token?: string;
  dataDir?: string;
  store?: string;
}

export function defaultServerUrl(): string {
  return process.env.CHIME_URL ?? `http://127.0.0.1:${process.env.CHIME_PORT ?? process.env.DAPR_HTTP_PORT ?? 3500}`;
}

export function dataDirOf(flags: { dataDir?: string; store?: string }): string {
  return flags.dataDir ?? process.env.CHIME_DATA_DIR ?? defaultDataDir(flags.store ?? process.env.CHIME_STORE ?? 'sqlite:./.chime/chime.db');
}

/**
 * `--token`, else CHIME_TOKEN, else a short-lived admin token signed with the server's secret
 * when this machine can read it (CHIME_JWT_SECRET or the data dir): local use needs no setup.
 */
export async function resolveToken(flags: CredentialFlags, scope: Scope = 'admin'): Promise<string> {
  const given = flags.token ?? process.env.CHIME_TOKEN;
  if (given) return given;
  let secret = process.env.CHIME_JWT_SECRET;
  if (!secret) {
    try {
      secret = readFileSync(join(dataDirOf(flags), SECRET_FILE), 'utf8').trim();
    } catch {
      throw new Error('no token: pass --token or set CHIME_TOKEN (on the server machine, `chime token` prints one)');
    }
  }
  return signToken({ secret, scope, expiresInSeconds: 300, subject: 'chime-cli' });
}
