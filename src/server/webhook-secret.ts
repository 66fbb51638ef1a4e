/**
 * The secret callbacks are signed with. Without `--webhook-secret` the first start creates
 * one in the data directory (mode 0600), like the JWT secret: signing is on from the first
 * run, and the app reads its secret from that file. Two processes starting at once agree.
 */
import { generateWebhookSecret } from '../runtime/delivery/webhook-signing.js';
import { loadOrCreateSecretFile } from './secrets.js';

export const WEBHOOK_SECRET_FILE = 'webhook-secret';

export function loadOrCreateWebhookSecret(dataDir: string): string {
  return loadOrCreateSecretFile(dataDir, WEBHOOK_SECRET_FILE, generateWebhookSecret);
}
