/**
 * The three notification channels of a fired reminder (seeds 002 and 004):
 * - in-app: a row in `notifications`, pushed at once to the user's open SSE streams (and
 *   replayed from the table to a stream that reconnects with Last-Event-ID);
 * - webhook: a POST to the user's webhook URL, signed the Standard Webhooks way
 *   (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<HMAC-SHA256>`), retried with
 *   exponential backoff (1 s, 2 s, 4 s ... up to 60 s, 10 attempts);
 * - broker: a CloudEvent on the `task-reminders` Redis stream, for other services.
 * Webhook and broker sends go through the `outgoing` table, written in the callback's
 * transaction, so a crash or an outage delays them but does not drop them.
 */
import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Notification, Outgoing, RemindersDb } from './db.js';
import type { Log } from './reminder-scheduler.js';

const MAX_ATTEMPTS = 10;

export type Listener = (notification: Notification) => void;

/** Open SSE streams, by user. */
export class InAppHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe(userId: string, listener: Listener): () => void {
    const set = this.listeners.get(userId) ?? new Set();
    set.add(listener);
    this.listeners.set(userId, set);
    return () => set.delete(listener);
  }

  publish(notification: Notification): void {
    for (const listener of this.listeners.get(notification.user_id) ?? []) listener(notification);
  }
}

/** Standard Webhooks signature: base64 HMAC-SHA256 over `id.timestamp.body`; a `whsec_` secret is base64. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export class OutgoingSender {
  private timers = new Map<Outgoing['channel'], NodeJS.Timeout>();
  private running = new Map<Outgoing['channel'], Promise<void>>();
  private again = new Set<Outgoing['channel']>();
  private readonly redis: Redis | null;
  private readonly stream: string;
  private stopped = false;

  constructor(
    private readonly db: RemindersDb,
    brokerUrl: string | null,
    private readonly log: Log,
  ) {
    if (brokerUrl) {
      const url = new URL(brokerUrl);
      this.stream = url.searchParams.get('stream') ?? 'task-reminders';
      url.search = '';
      this.redis = new Redis(url.toString(), { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
      this.redis.on('error', () => {}); // a failed XADD reports it, and is retried
    } else {
      this.redis = null;
      this.stream = '';
    }
  }

  get brokerEnabled(): boolean {
    return this.redis !== null;
  }

  kick(channel: Outgoing['channel']): void {
    if (this.stopped) return;
    const timer = this.timers.get(channel);
    if (timer) clearTimeout(timer);
    this.timers.delete(channel);
    if (this.running.has(channel)) {
      this.again.add(channel);
      return;
    }
    const pass = this.pass(channel).finally(() => {
      this.running.delete(channel);
      if (this.again.delete(channel)) this.kick(channel);
      else this.armTimer(channel);
    });
    this.running.set(channel, pass);
  }

  private armTimer(channel: Outgoing['channel']): void {
    const next = this.db.nextOutgoingAt(channel);
    if (next === null || this.stopped) return;
    this.timers.set(channel, setTimeout(() => this.kick(channel), Math.max(0, next - Date.now())));
  }

  private async pass(channel: Outgoing['channel']): Promise<void> {
    for (;;) {
      const due = this.db.dueOutgoing(channel, Date.now(), 50);
      if (due.length === 0) return;
      await Promise.all(
        due.map(async (item) => {
          try {
            await (channel === 'webhook' ? this.sendWebhook(item) : this.sendBroker(item));
            this.db.outgoingSent(item.id);
          } catch (error) {
            const attempts = item.attempts + 1;
            const giveUp = attempts >= MAX_ATTEMPTS;
            const delay = Math.min(1000 * 2 ** item.attempts, 60_000); // seed 004: exponential backoff
            this.db.outgoingRetry(item.id, Date.now() + delay, giveUp);
            this.log(`${channel} for task ${item.task_id} failed (attempt ${attempts}${giveUp ? ', giving up' : `, next in ${delay} ms`}): ${(error as Error).message}`);
          }
        }),
      );
    }
  }

  private async sendWebhook(item: Outgoing): Promise<void> {
    const user = this.db.getUser(item.user_id);
    if (!user?.webhook_url) return; // the user removed the webhook meanwhile
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': item.delivery_id,
      'webhook-timestamp': String(timestamp),
    };
    if (user.webhook_secret) headers['webhook-signature'] = signWebhook(user.webhook_secret, item.delivery_id, timestamp, item.payload);
    const response = await fetch(user.webhook_url, { method: 'POST', headers, body: item.payload, signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  }

  private async sendBroker(item: Outgoing): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect().catch(() => {});
    await this.redis.xadd(this.stream, '*', 'id', item.delivery_id, 'event', item.payload);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.all(this.running.values());
    this.redis?.disconnect();
  }
}
