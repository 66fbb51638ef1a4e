/** How CLI commands find the server and a bearer token for `/api/v1`. */
import { join, resolve } from 'node:path';
import type { Scope } from '../http/auth.js';
import { DEFAULT_STORE, defaultDataDir } from '../server/options.js';
import { readSecret, SECRET_FILE, signToken } from '../server/secrets.js';
import { connectionEnv } from './connection-options.js';

export interface CredentialFlags {
  server: string;
  token?: string;
  dataDir?: string;
  store?: string;
}

/** The data dir and what chose it, for messages that say where they looked. */
function dataDirSource(flags: { dataDir?: string; store?: string }): { dir: string; from: string } {
  if (flags.dataDir) return { dir: flags.dataDir, from: '--data-dir' };
  const dataDir = connectionEnv('dataDir');
  if (dataDir) return { dir: dataDir.value, from: dataDir.name };
  const store = flags.store ? { value: flags.store, name: '--store' } : connectionEnv('store');
  if (store) return { dir: defaultDataDir(store.value), from: `the folder of the store ${store.name}` };
  return { dir: defaultDataDir(DEFAULT_STORE), from: "the default store's folder" };
}

/**
 * The secret of the server whose data dir the flags or environment name: CHIME_JWT_SECRET,
 * else the file a server made there. Never makes one: a secret minted where no server reads
 * it signs tokens no server accepts.
 */
export function serverSecret(flags: { dataDir?: string; store?: string }): string {
  if (process.env.CHIME_JWT_SECRET) return process.env.CHIME_JWT_SECRET;
  const { dir, from } = dataDirSource(flags);
  const secret = readSecret(dir);
  if (secret !== null) return secret;
  throw new Error(
    `no server secret at ${resolve(join(dir, SECRET_FILE))} (the data dir from ${from}); ` +
      "pass the server's --data-dir, set CHIME_DATA_DIR, or set CHIME_JWT_SECRET to the server's --jwt-secret",
  );
}

/**
 * `--token`, else CHIME_TOKEN, else a short-lived admin token signed with the server's secret
 * when this machine can read it (CHIME_JWT_SECRET or the data dir): local use needs no setup.
 */
export async function resolveToken(flags: CredentialFlags, scope: Scope = 'admin'): Promise<string> {
  const given = flags.token ?? connectionEnv('token')?.value;
  if (given) return given;
  let secret: string;
  try {
    secret = serverSecret(flags);
  } catch (error) {
    throw new Error(`no token: pass --token or set CHIME_TOKEN (${(error as Error).message})`);
  }
  return signToken({ secret, scope, expiresInSeconds: 300, subject: 'chime-cli' });
}
