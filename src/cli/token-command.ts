/** `chime token`: prints a bearer token for `/api/v1`, signed with the server's secret. */
import type { Command } from 'commander';
import { parseGoDuration } from '../core/duration.js';
import { SCOPES, type Scope } from '../http/auth.js';
import { loginLink, signToken } from '../server/secrets.js';
import { addConnectionOptions } from './connection-options.js';
import { serverSecret } from './credentials.js';
import type { CliIo } from './output.js';

export function registerTokenCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  const token = program
    .command('token')
    .description('print a bearer token for /api/v1 (signed with CHIME_JWT_SECRET or the secret in the data dir)')
    .option('--scope <scope>', 'read, write or admin', 'admin')
    .option('--expires-in <duration>', 'lifetime, e.g. 1h, 720h', '24h')
    .option('--subject <sub>', 'the token subject', 'chime-cli')
    .option('--issuer <iss>', 'iss claim (if the server checks one)')
    .option('--audience <aud>', 'aud claim (if the server checks one)')
    .option('--login-link', 'print a one-time dashboard login link (15 minutes) instead of a token');
  // --server: the server the login link opens.
  addConnectionOptions(token, ['dataDir', 'store', 'server']).action(async (o: {
    scope: string;
    expiresIn: string;
    subject: string;
    issuer?: string;
    audience?: string;
    dataDir?: string;
    store?: string;
    loginLink?: boolean;
    server: string;
  }) => {
    if (!(SCOPES as readonly string[]).includes(o.scope)) {
      io.err(`error: scope: "${o.scope}" is not one of ${SCOPES.join(', ')}`);
      return setCode(2);
    }
    let seconds: number;
    try {
      seconds = Math.floor(parseGoDuration(o.expiresIn) / 1000);
    } catch (error) {
      io.err(`error: expires-in: ${(error as Error).message}`);
      return setCode(2);
    }
    let secret: string;
    try {
      secret = serverSecret(o);
    } catch (error) {
      io.err(`error: ${(error as Error).message}`);
      return setCode(1);
    }
    if (o.loginLink) {
      const request = { secret, scope: o.scope as Scope, subject: o.subject, issuer: o.issuer, audience: o.audience };
      return io.out(await loginLink(o.server, request));
    }
    io.out(await signToken({ secret, scope: o.scope as Scope, expiresInSeconds: seconds, subject: o.subject, issuer: o.issuer, audience: o.audience }));
  });
}
