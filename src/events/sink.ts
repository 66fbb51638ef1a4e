/**
 * An event sink: one broker connection that publishes CloudEvents and reports each batch as
 * acknowledged only when the broker has taken responsibility for every event in it
 * (JetStream ack, RabbitMQ publisher confirm, Redis XADD reply, MQTT PUBACK).
 *
 * Each broker's client library is imported when its sink is first used, so a server that
 * publishes no events, or publishes to one broker, never loads the others.
 */
import type { OutgoingEvent } from './cloudevent.js';

/** A message for one topic: its id (broker-side dedup where there is one) and JSON body. */
export interface TopicMessage {
  id: string;
  json: string;
}

export interface EventSink {
  /** Human-readable target for logs (no credentials). */
  readonly description: string;
  /**
   * Publishes a batch; resolves once the broker acknowledged all of it, rejects otherwise
   * (some events may have arrived: the caller sends the whole batch again, at-least-once).
   */
  publish(events: readonly OutgoingEvent[]): Promise<void>;
  /** Publishes one message with its own routing (topic delivery of a job), acknowledged like events. */
  publishTo(topic: string, message: TopicMessage): Promise<void>;
  /** Drops the connection (after a failure, or at shutdown); the next publish reconnects. */
  close(): Promise<void>;
}

export type SinkKind = 'nats' | 'amqp' | 'redis' | 'mqtt';

export function sinkKind(url: string): SinkKind {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  switch (scheme) {
    case 'nats':
      return 'nats';
    case 'amqp':
    case 'amqps':
      return 'amqp';
    case 'redis':
    case 'rediss':
      return 'redis';
    case 'mqtt':
    case 'mqtts':
      return 'mqtt';
    default:
      throw new Error(`"${scheme}" is not an event sink; use nats://, amqp://, redis:// or mqtt://`);
  }
}

/** The URL with any password replaced, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Rejects after `ms` unless `work` settles first: a broker that never answers counts as down. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no acknowledgement within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A broker connection opened on first use and forgotten when it fails or drops, so the next use
 * opens a fresh one: the publisher owns retrying, not the client library.
 */
export class LazyConnection<T> {
  private current: Promise<T> | null = null;

  /** `open` gets a `dropped` callback to call when the connection goes away on its own. */
  constructor(
    private readonly open: (dropped: () => void) => Promise<T>,
    private readonly shut: (connection: T) => Promise<unknown> | void,
  ) {}

  get(): Promise<T> {
    if (this.current) return this.current;
    const attempt: Promise<T> = this.open(() => {
      if (this.current === attempt) this.current = null;
    }).catch((error: unknown) => {
      if (this.current === attempt) this.current = null;
      throw error;
    });
    this.current = attempt;
    return attempt;
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = null;
    const connection = await current?.catch(() => null);
    if (connection) await Promise.resolve(this.shut(connection)).catch(() => {});
  }
}

export async function createSink(url: string): Promise<EventSink> {
  switch (sinkKind(url)) {
    case 'nats':
      return new (await import('./nats-sink.js')).NatsSink(url);
    case 'amqp':
      return new (await import('./amqp-sink.js')).AmqpSink(url);
    case 'redis':
      return new (await import('./redis-stream-sink.js')).RedisStreamSink(url);
    case 'mqtt':
      return new (await import('./mqtt-sink.js')).MqttSink(url);
  }
}
