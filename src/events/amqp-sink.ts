/**
 * RabbitMQ sink (`amqplib`, AMQP 0-9-1). Events go to a durable topic exchange with the
 * routing key `job.<type>` (`job.fired`, ...), as persistent messages on a confirm channel: a
 * batch counts once RabbitMQ confirmed every message (publisher confirms). With `queue=`, the
 * sink also declares a durable queue bound to all events, so nothing is dropped as unroutable
 * before a consumer binds its own.
 *
 * URL: amqp://user:pass@host:5672/vhost?exchange=chime.events&queue=chime.events
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { OutgoingEvent } from './cloudevent.js';
import { LazyConnection, redactUrl, withTimeout, type EventSink, type TopicMessage } from './sink.js';

const ACK_TIMEOUT_MS = 5000;

export class AmqpSink implements EventSink {
  readonly description: string;
  private readonly url: string;
  private readonly exchange: string;
  private readonly queue: string | null;
  private readonly connection = new LazyConnection<{ model: ChannelModel; channel: ConfirmChannel }>(
    async (dropped) => {
      const model = await connect(this.url, { timeout: ACK_TIMEOUT_MS });
      model.on('error', dropped);
      model.on('close', dropped);
      const channel = await model.createConfirmChannel();
      channel.on('error', dropped);
      channel.on('close', dropped);
      await channel.assertExchange(this.exchange, 'topic', { durable: true });
      if (this.queue) {
        await channel.assertQueue(this.queue, { durable: true });
        await channel.bindQueue(this.queue, this.exchange, '#');
      }
      return { model, channel };
    },
    ({ model }) => model.close(),
  );

  constructor(url: string) {
    const parsed = new URL(url);
    this.exchange = parsed.searchParams.get('exchange') ?? 'chime.events';
    this.queue = parsed.searchParams.get('queue');
    parsed.searchParams.delete('exchange');
    parsed.searchParams.delete('queue');
    this.url = parsed.toString();
    this.description = `${redactUrl(url)} (exchange ${this.exchange})`;
  }

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    const { channel } = await this.connection.get();
    const confirms = events.map((e) => this.send(channel, this.exchange, `job.${e.kind}`, e));
    await withTimeout(Promise.all(confirms), ACK_TIMEOUT_MS, 'RabbitMQ');
  }

  async publishTo(topic: string, event: TopicMessage): Promise<void> {
    const { channel } = await this.connection.get();
    // A topic is a routing key on the exchange; consumers bind the queues they want.
    await withTimeout(this.send(channel, this.exchange, topic, event), ACK_TIMEOUT_MS, 'RabbitMQ');
  }

  private send(channel: ConfirmChannel, exchange: string, routingKey: string, e: TopicMessage & { type?: string }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      channel.publish(
        exchange,
        routingKey,
        Buffer.from(e.json),
        { persistent: true, messageId: e.id, ...(e.type ? { type: e.type } : {}), contentType: 'application/cloudevents+json' },
        (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
      );
    });
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
