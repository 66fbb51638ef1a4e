/** `chime token`: prints a bearer token for `/api/v1`, signed with the server's secret. */
import type { Command } from 'commander';
import { parseGoDuration } from '../core/duration.js';
import { SCOPES, type Scope } from '../http/auth.js';
import { signToken } from '../server/secrets.js';
import { serverSecret } from './credentials.js';
import type { CliIo } from './output.js';

export function registerTokenCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('token')
    .description('print a bearer token for /api/v1 (signed with CHIME_JWT_SECRET or the secret in the data dir)')
    .option('--scope <scope>', 'read, write or admin', 'admin')
    .option('--expires-in <duration>', 'lifetime, e.g. 1h, 720h', '24h')
    .option('--subject <sub>', 'the token subject', 'chime-cli')
    .option('--issuer <iss>', 'iss claim (if the server checks one)')
    .option('--audience <aud>', 'aud claim (if the server checks one)')
    .option('--data-dir <dir>', 'where the server keeps its secret')
    .option('--store <url>', 'the server\'s store (its SQLite folder is the default data dir)')
    .action(async (o: { scope: string; expiresIn: string; subject: string; issuer?: string; audience?: string; dataDir?: string; store?: string }) => {
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
      io.out(await signToken({ secret, scope: o.scope as Scope, expiresInSeconds: seconds, subject: o.subject, issuer: o.issuer, audience: o.audience }));
    });
}
