/**
 * The publishing side of events, run on the publisher's own thread (publisher-worker.ts): maps
 * job events to CloudEvents, spools them, and sends the queue in order, a batch at a time,
 * moving on only once the broker acknowledged the whole batch. A failed batch is sent again
 * after a backoff (100 ms doubling to 5 s) on a fresh connection, for as long as it takes: an
 * outage delays events, it does not drop them.
 */
import { toCloudEvent, type JobLifecycleEvent } from './cloudevent.js';
import type { EventSpool, SpooledEvent } from './event-spool.js';
import type { EventSink } from './sink.js';

export type PumpLog = (level: 'info' | 'warn' | 'error', message: string, error?: unknown) => void;

const MAX_BACKOFF_MS = 5000;
/**
 * Events held in memory at most; past that, a long outage's backlog waits only in the spool
 * and is read back as the queue drains (about 1 KB each: ~100 MB at the cap).
 */
export const DEFAULT_MAX_IN_MEMORY = 100_000;

export class EventPump {
  private queue: SpooledEvent[] = [];
  /** The first spooled event not in `queue` (the backlog past the memory cap), or null. */
  private spilledFrom: number | null = null;
  private pumping: Promise<void> | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  /** Events the broker acknowledged since start. */
  published = 0;
  /** Failed publish attempts since start. */
  failures = 0;

  constructor(
    private readonly sink: EventSink,
    private readonly spool: EventSpool,
    private readonly options: { source: string; batchSize?: number; maxInMemory?: number; log: PumpLog; onProgress?: () => void },
  ) {}

  private get maxInMemory(): number {
    return this.options.maxInMemory ?? DEFAULT_MAX_IN_MEMORY;
  }

  /** Events not yet acknowledged, in memory or only in the spool. */
  get pending(): number {
    return this.spilledFrom === null ? this.queue.length : this.queue.length + (this.spool.next - this.spilledFrom);
  }

  /** Events held in memory. */
  get inMemory(): number {
    return this.queue.length;
  }

  /** Requeues what a previous process left in the spool; how many. */
  recover(): number {
    const left = this.spool.recover();
    if (left > 0) {
      this.options.log('info', `events: ${left} events from the spool of an earlier run wait for ${this.sink.description}`);
      this.spilledFrom = this.spool.firstUnacknowledged;
      this.refill();
      this.schedulePump();
    }
    return left;
  }

  add(events: readonly JobLifecycleEvent[]): void {
    if (events.length === 0) return;
    const outgoing = events.map((e) => toCloudEvent(e, this.options.source));
    const spooled = this.spool.append(outgoing);
    this.spool.flush();
    if (this.spilledFrom === null) {
      const room = Math.max(0, this.maxInMemory - this.queue.length);
      this.queue.push(...spooled.slice(0, room));
      if (room < spooled.length) this.spilledFrom = spooled[room]!.seq;
    }
    this.schedulePump();
  }

  /** Moves spilled events back from the spool while the queue is under half the cap. */
  private refill(): void {
    if (this.spilledFrom === null || this.queue.length >= this.maxInMemory / 2) return;
    const more = this.spool.read(this.spilledFrom, this.maxInMemory - this.queue.length);
    this.queue.push(...more);
    const next = more.length > 0 ? more[more.length - 1]!.seq + 1 : this.spool.next;
    this.spilledFrom = next >= this.spool.next ? null : next;
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
    for (this.refill(); this.queue.length > 0; this.refill()) {
      const batch = this.queue.slice(0, size);
      try {
        await this.sink.publish(batch);
      } catch (error) {
        this.failures++;
        this.options.onProgress?.();
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
      this.options.onProgress?.();
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

  /** Gives the queue `graceMs` to drain; what is left stays in the spool for the next start. */
  async close(graceMs: number): Promise<void> {
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
