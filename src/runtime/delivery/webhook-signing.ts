/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): every delivery carries
 * `webhook-id`, `webhook-timestamp` (seconds) and `webhook-signature`, the base64
 * HMAC-SHA256 of `{id}.{timestamp}.{body}` under each active secret, space-separated
 * (`v1,<sig> v1,<sig>`), so a receiver holding either secret verifies during a rotation.
 */
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new secret in the `whsec_<base64>` form the Standard Webhooks libraries take. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(24).toString('base64')}`;
}

/** The HMAC key of a secret: the base64 after `whsec_`; anything else is refused. */
export function webhookKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error('webhook secret: must look like whsec_<base64> (`openssl rand -base64 24`, prefixed)');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  if (key.length < 16) throw new Error('webhook secret: the key after whsec_ must be at least 16 bytes of base64');
  return key;
}

export class WebhookSigner {
  private readonly keys: Buffer[];

  /** @param secrets one or two `whsec_` secrets; each signs every request. */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0 || secrets.length > 2) throw new Error('webhook secret: give one secret, or two while rotating');
    this.keys = secrets.map(webhookKey);
  }

  /** The three headers for one request. `timestampSeconds` comes from the engine's clock. */
  headers(id: string, timestampSeconds: number, body: string | Buffer): Record<string, string> {
    const prefix = `${id}.${timestampSeconds}.`;
    const signature = this.keys.map((key) => `v1,${createHmac('sha256', key).update(prefix).update(body).digest('base64')}`).join(' ');
    return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signature };
  }
}
