/**
 * The secret callbacks are signed with. Without `--webhook-secret` the first start creates
 * one in the data directory (mode 0600), like the JWT secret: signing is on from the first
 * run, and the app reads its secret from that file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateWebhookSecret } from '../engine/webhook-signing.js';

export const WEBHOOK_SECRET_FILE = 'webhook-secret';

export function loadOrCreateWebhookSecret(dataDir: string): string {
  const path = join(dataDir, WEBHOOK_SECRET_FILE);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    // Exclusive create: two processes starting at once end up with the same secret.
    writeFileSync(path, `${generateWebhookSecret()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(path, 'utf8').trim();
}
