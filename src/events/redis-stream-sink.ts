/**
 * Redis Streams sink (`ioredis`). Each event is one XADD entry with the fields `id`, `type`
 * and `event` (the CloudEvent JSON); a batch is one pipeline and counts once Redis answered
 * every XADD with the entry's id. `maxlen=` trims the stream approximately (`MAXLEN ~`);
 * without it the stream keeps every event until a consumer trims it.
 *
 * URL: redis://[:pass@]host:6379/0?stream=chime:events&maxlen=1000000
 */
import { Redis } from 'ioredis';
import type { OutgoingEvent } from './cloudevent.js';
import { LazyConnection, redactUrl, withTimeout, type EventSink, type TopicMessage } from './sink.js';

const ACK_TIMEOUT_MS = 5000;

export class RedisStreamSink implements EventSink {
  readonly description: string;
  private readonly url: string;
  private readonly stream: string;
  private readonly maxlen: string | null;
  private readonly client = new LazyConnection<Redis>(
    async (dropped) => {
      // No offline queue and no retry of a sent command: a broken connection fails the batch
      // at once, and the publisher sends it again after reconnecting.
      const redis = new Redis(this.url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: ACK_TIMEOUT_MS,
      });
      redis.on('error', () => {}); // surfaced by the command that fails
      redis.on('end', dropped);
      await redis.connect();
      return redis;
    },
    (redis) => redis.disconnect(),
  );

  constructor(url: string) {
    const parsed = new URL(url);
    this.stream = parsed.searchParams.get('stream') ?? 'chime:events';
    this.maxlen = parsed.searchParams.get('maxlen');
    if (this.maxlen !== null && !/^\d+$/.test(this.maxlen)) throw new Error(`maxlen: "${this.maxlen}" is not a number`);
    parsed.searchParams.delete('stream');
    parsed.searchParams.delete('maxlen');
    this.url = parsed.toString();
    this.description = `${redactUrl(url)} (stream ${this.stream})`;
  }

  private xaddArgs(stream: string, e: TopicMessage & { type?: string }): string[] {
    const trim = this.maxlen === null ? [] : ['MAXLEN', '~', this.maxlen];
    return [stream, ...trim, '*', 'id', e.id, ...(e.type ? ['type', e.type] : []), 'event', e.json];
  }

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    const redis = await this.client.get();
    const pipeline = redis.pipeline();
    for (const e of events) pipeline.call('XADD', this.xaddArgs(this.stream, e));
    const replies = await withTimeout(pipeline.exec(), ACK_TIMEOUT_MS, 'Redis XADD');
    if (!replies || replies.length !== events.length) throw new Error('Redis: the pipeline did not answer every XADD');
    for (const [error] of replies) if (error) throw error;
  }

  async publishTo(topic: string, event: TopicMessage): Promise<void> {
    const redis = await this.client.get();
    await withTimeout(redis.call('XADD', this.xaddArgs(topic, event)), ACK_TIMEOUT_MS, 'Redis XADD');
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
