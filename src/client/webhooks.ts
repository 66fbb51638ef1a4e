/**
 * Verifying Chime's signed callbacks in the receiving app (Standard Webhooks). Dependency-free
 * (node:crypto only); any Standard Webhooks library verifies them too.
 *
 * @example
 * import { verifyWebhook } from '@chime-scheduler/client';
 * // in the app's handler, with the raw body as received:
 * verifyWebhook(process.env.CHIME_WEBHOOK_SECRET!, request.headers, rawBody);
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, seconds (replay window). @default 300 */
  toleranceSeconds?: number;
  /** The current time, epoch ms (tests). @default Date.now() */
  now?: number;
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: Headers, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a request's `webhook-id`, `webhook-timestamp` and `webhook-signature` against one or
 * more secrets (`whsec_...`; several while rotating: any one matching passes). Throws
 * WebhookVerificationError saying what is wrong; returns the webhook id (stable across
 * retries of one occurrence, for dropping duplicates).
 */
export function verifyWebhook(secrets: string | readonly string[], headers: Headers, body: string | Buffer, options: VerifyWebhookOptions = {}): string {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('webhook-timestamp is not a number of seconds');
  const now = (options.now ?? Date.now()) / 1000;
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now - seconds) > tolerance) throw new WebhookVerificationError('webhook-timestamp is outside the tolerance (a replay, or a clock off)');
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), typeof body === 'string' ? Buffer.from(body) : body]);
  const given = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
    const expected = createHmac('sha256', key).update(signed).digest();
    if (given.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected))) return id;
  }
  throw new WebhookVerificationError('no signature matches the secret(s)');
}
