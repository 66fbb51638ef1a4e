/**
 * MQTT sink (`mqtt`, MQTT 3.1.1). Events go to `<topic>/job/<type>` (`chime/job/fired`, ...)
 * at QoS 1: a publish counts once the broker's PUBACK arrived.
 *
 * URL: mqtt://[user:pass@]host:1883?topic=chime
 */
import { connectAsync, type MqttClient } from 'mqtt';
import type { OutgoingEvent } from './cloudevent.js';
import { LazyConnection, redactUrl, withTimeout, type EventSink, type TopicMessage } from './sink.js';

const ACK_TIMEOUT_MS = 5000;

export class MqttSink implements EventSink {
  readonly description: string;
  private readonly url: string;
  private readonly topic: string;
  private readonly client = new LazyConnection<MqttClient>(
    async (dropped) => {
      // No client-side reconnect or offline queue: the publisher owns retrying.
      const client = await connectAsync(this.url, { reconnectPeriod: 0, connectTimeout: ACK_TIMEOUT_MS, queueQoSZero: false });
      const drop = () => {
        dropped();
        client.end(true);
      };
      client.on('close', drop);
      client.on('error', drop);
      return client;
    },
    (client) => client.endAsync(true),
  );

  constructor(url: string) {
    const parsed = new URL(url);
    this.topic = parsed.searchParams.get('topic') ?? 'chime';
    parsed.searchParams.delete('topic');
    this.url = parsed.toString();
    this.description = `${redactUrl(url)} (topics ${this.topic}/job/*)`;
  }

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    const client = await this.client.get();
    await withTimeout(
      Promise.all(events.map((e) => client.publishAsync(`${this.topic}/job/${e.kind}`, e.json, { qos: 1 }))),
      ACK_TIMEOUT_MS,
      'MQTT',
    );
  }

  async publishTo(topic: string, event: TopicMessage): Promise<void> {
    const client = await this.client.get();
    await withTimeout(client.publishAsync(topic, event.json, { qos: 1 }), ACK_TIMEOUT_MS, 'MQTT');
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
