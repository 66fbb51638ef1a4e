/**
 * NATS JetStream sink (`nats` client). Events go to `<subject>.job.<type>`
 * (`chime.job.fired`, ...) in a stream that captures `<subject>.>` (created if missing).
 * A publish counts once JetStream acknowledged it (the stream stored it); each event carries
 * its CloudEvent id as `Nats-Msg-Id`, so JetStream drops a re-send inside its duplicate window.
 *
 * URL: nats://[user:pass@]host:4222?stream=CHIME&subject=chime
 */
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { OutgoingEvent } from './cloudevent.js';
import { LazyConnection, redactUrl, withTimeout, type EventSink, type TopicMessage } from './sink.js';

const ACK_TIMEOUT_MS = 5000;
const encoder = new TextEncoder();

interface Connected {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export class NatsSink implements EventSink {
  readonly description: string;
  private readonly servers: string;
  private readonly user?: string;
  private readonly pass?: string;
  private readonly stream: string;
  private readonly subject: string;
  private readonly connection = new LazyConnection<Connected>(
    async (dropped) => {
      // No client-side reconnect: a dropped connection fails the batch in flight, and the
      // publisher reconnects with its own backoff and sends the batch again.
      const nc = await connect({ servers: this.servers, user: this.user, pass: this.pass, reconnect: false, timeout: ACK_TIMEOUT_MS });
      void nc.closed().then(dropped);
      const jsm = await nc.jetstreamManager({ timeout: ACK_TIMEOUT_MS });
      await ensureStream(jsm, this.stream, `${this.subject}.>`);
      return { nc, js: nc.jetstream({ timeout: ACK_TIMEOUT_MS }), jsm };
    },
    ({ nc }) => nc.close(),
  );
  private readonly topicStreams = new Set<string>();

  constructor(url: string) {
    const parsed = new URL(url);
    this.servers = `${parsed.hostname}:${parsed.port || '4222'}`;
    if (parsed.username) this.user = decodeURIComponent(parsed.username);
    if (parsed.password) this.pass = decodeURIComponent(parsed.password);
    this.stream = parsed.searchParams.get('stream') ?? 'CHIME';
    this.subject = parsed.searchParams.get('subject') ?? 'chime';
    this.description = `${redactUrl(url)} (JetStream stream ${this.stream}, subjects ${this.subject}.job.*)`;
  }

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    const { js } = await this.connection.get();
    await withTimeout(
      Promise.all(events.map((e) => js.publish(`${this.subject}.job.${e.kind}`, encoder.encode(e.json), { msgID: e.id }))),
      ACK_TIMEOUT_MS * 2,
      'NATS JetStream',
    );
  }

  async publishTo(topic: string, event: TopicMessage): Promise<void> {
    const { js, jsm } = await this.connection.get();
    if (!this.topicStreams.has(topic)) {
      const found = await jsm.streams.find(topic).catch(() => null);
      if (!found) await ensureStream(jsm, `${this.stream}_${topic.replace(/[^A-Za-z0-9_-]/g, '_')}`, topic);
      this.topicStreams.add(topic);
    }
    await js.publish(topic, encoder.encode(event.json), { msgID: event.id });
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

async function ensureStream(jsm: JetStreamManager, name: string, subject: string): Promise<void> {
  try {
    await jsm.streams.info(name);
  } catch {
    await jsm.streams.add({ name, subjects: [subject] });
  }
}
