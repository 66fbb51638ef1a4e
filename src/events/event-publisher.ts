/**
 * Publishes job lifecycle events to a broker as CloudEvents, at least once.
 *
 * It reads the one lifecycle stream (`engine.events`); every event arrives there after the
 * store wrote what it reports. The listener only maps, spools and queues (the firing path
 * never waits on a broker); a pump sends the queue in order, a batch at a time, and moves on
 * only once the broker acknowledged the whole batch. A failed batch is sent again after a
 * backoff (100 ms doubling to 5 s) on a fresh connection, for as long as it takes: an outage
 * delays events, it does not drop them or stall firing.
 */
import type { LifecycleEvent, LifecycleEvents } from '../engine/lifecycle-events.js';
import { isJobEvent, shortType, toCloudEvent, type JobLifecycleEvent, type PublishedEventType } from './cloudevent.js';
import type { EventSpool, SpooledEvent } from './event-spool.js';
import type { EventSink } from './sink.js';
import { JOB_EVENTS_KEY } from './job-event-choice.js';

export interface EventPublisherOptions {
  /** CloudEvent `source`. */
  source: string;
  /** Event types published for a job that names none itself. */
  types: readonly PublishedEventType[];
  batchSize?: number;
  log: (level: 'info' | 'warn' | 'error', message: string, error?: unknown) => void;
}


const MAX_BACKOFF_MS = 5000;

export class EventPublisher {
  private readonly types: ReadonlySet<string>;
  private queue: SpooledEvent[] = [];
  private turnEvents: JobLifecycleEvent[] = [];
  private turnScheduled = false;
  private pumping: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  /** Events the broker acknowledged since start. */
  published = 0;
  /** Failed publish attempts since start. */
  failures = 0;

  constructor(
    private readonly sink: EventSink,
    private readonly spool: EventSpool,
    private readonly options: EventPublisherOptions,
  ) {
    this.types = new Set(options.types);
  }

  /** Events waiting for the broker's acknowledgement. */
  get pending(): number {
    return this.queue.length + this.turnEvents.length;
  }

  /** Requeues what a previous process left in the spool, then follows the stream. */
  start(events: LifecycleEvents): void {
    const recovered = this.spool.recover();
    if (recovered.length > 0) {
      this.options.log('info', `events: ${recovered.length} events from the spool of an earlier run wait for ${this.sink.description}`);
      this.queue.push(...recovered);
      this.schedulePump();
    }
    this.unsubscribe = events.subscribe((event) => this.onEvent(event));
  }

  private onEvent(event: LifecycleEvent): void {
    if (!isJobEvent(event)) return;
    this.turnEvents.push(event);
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    // One spool write per event-loop turn, for every event of the turn.
    setImmediate(() => this.endTurn());
  }

  private endTurn(): void {
    this.turnScheduled = false;
    const events = this.turnEvents;
    this.turnEvents = [];
    const outgoing = [];
    for (const event of events) {
      if (!this.wanted(event)) continue;
      outgoing.push(toCloudEvent(event, this.options.source));
    }
    if (outgoing.length === 0) return;
    this.queue.push(...this.spool.append(outgoing));
    this.spool.flush();
    this.schedulePump();
  }

  private wanted(event: JobLifecycleEvent): boolean {
    const kind = shortType(event);
    const metadata = event.job.metadata;
    if (metadata && metadata.includes(JOB_EVENTS_KEY)) {
      const chosen = (JSON.parse(metadata) as Record<string, unknown>)[JOB_EVENTS_KEY];
      if (Array.isArray(chosen)) return chosen.includes(kind);
    }
    return this.types.has(kind);
  }

  private schedulePump(): void {
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  private async pump(): Promise<void> {
    const size = this.options.batchSize ?? 256;
    let backoff = 100;
    let down = false;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, size);
      try {
        await this.sink.publish(batch);
      } catch (error) {
        this.failures++;
        if (!down) this.options.log('warn', `events: publishing to ${this.sink.description} failed; retrying until it acknowledges`, error);
        down = true;
        await this.sink.close().catch(() => {});
        if (this.closed) return;
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (down) this.options.log('info', `events: ${this.sink.description} acknowledges again`);
      down = false;
      backoff = 100;
      this.queue.splice(0, batch.length);
      this.published += batch.length;
      this.spool.acknowledge(batch[batch.length - 1]!.seq);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Stops following the stream and gives the queue `graceMs` to drain. What is left stays in
   * the spool for the next start.
   */
  async close(graceMs: number): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.endTurn();
    if (this.pumping && graceMs > 0) {
      await Promise.race([this.pumping, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    }
    this.closed = true;
    this.wake?.();
    if (this.queue.length > 0) this.options.log('warn', `events: ${this.queue.length} events stay in the spool (${this.spool.dir}) for the next start`);
    this.spool.close();
    await this.sink.close().catch(() => {});
  }
}
