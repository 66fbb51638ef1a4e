/**
 * Publishes job lifecycle events to a broker as CloudEvents, at least once.
 *
 * It reads the one lifecycle stream (`engine.events`); every event arrives there after the
 * store wrote what it reports. On the engine's thread it only picks the events to publish
 * (the server's types, or a job's own choice) and hands each event-loop turn's events to the
 * publisher thread (publisher-worker.ts), which maps, spools and sends them (event-pump.ts).
 * Firing never waits on a broker, and the broker client's work does not take the engine's CPU.
 */
import { Worker } from 'node:worker_threads';
import type { LifecycleEvent, LifecycleEvents } from '../core/lifecycle-events.js';
import { isJobEvent, shortType, type JobLifecycleEvent, type PublishedEventType } from './cloudevent.js';
import { JOB_EVENTS_KEY } from '../core/job-event-choice.js';
import type { PublisherWorkerData, PublisherWorkerMessage } from './publisher-worker.js';

export interface EventPublisherOptions extends PublisherWorkerData {
  /** Event types published for a job that names none itself. */
  types: readonly PublishedEventType[];
  log: (level: 'info' | 'warn' | 'error', message: string, error?: unknown) => void;
}

/**
 * The worker's compiled module. From dist/ it sits beside this file; when this file runs from
 * the TypeScript sources (tests), the build in dist/ serves (`npm test` builds first).
 */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/events/publisher-worker.js', import.meta.url)
    : new URL('./publisher-worker.js', import.meta.url);
}

export class EventPublisher {
  private readonly types: ReadonlySet<string>;
  private turnEvents: JobLifecycleEvent[] = [];
  private turnScheduled = false;
  private unsubscribe: (() => void) | null = null;
  private posted = 0;
  private stats = { received: 0, published: 0, failures: 0, pending: 0 };
  private closedSignal: Promise<void>;
  /** Where the sink publishes (no credentials), once the thread is up. */
  description = '';
  spoolDir = '';

  private constructor(
    private readonly worker: Worker,
    private readonly options: EventPublisherOptions,
  ) {
    this.types = new Set(options.types);
    this.closedSignal = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  /** Starts the publisher thread (it requeues what an earlier run left in the spool) and follows the stream. */
  static async start(events: LifecycleEvents, options: EventPublisherOptions): Promise<EventPublisher> {
    const { types: _types, log: _log, ...data } = options;
    const worker = new Worker(workerUrl(), { workerData: data satisfies PublisherWorkerData });
    const publisher = new EventPublisher(worker, options);
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: PublisherWorkerMessage) => {
        if (message.type === 'ready') {
          publisher.description = message.description;
          publisher.spoolDir = message.spoolDir;
          resolve();
        } else if (message.type === 'failed') reject(new Error(`events: ${message.message}`));
        else publisher.onMessage(message);
      });
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('events: the publisher thread exited')));
    });
    // A publisher thread that dies is logged: what it spooled goes out on the next start; events
    // handed over after it died are not published.
    worker.on('error', (error) => options.log('error', 'events: the publisher thread failed', error));
    publisher.unsubscribe = events.subscribe((event) => publisher.onEvent(event));
    return publisher;
  }

  /** Events the broker acknowledged since start. */
  get published(): number {
    return this.stats.published;
  }

  /** Failed publish attempts since start. */
  get failures(): number {
    return this.stats.failures;
  }

  /** Events not yet acknowledged by the broker. */
  get pending(): number {
    return this.turnEvents.length + (this.posted - this.stats.received) + this.stats.pending;
  }

  private onMessage(message: PublisherWorkerMessage): void {
    if (message.type === 'stats') this.stats = message;
    else if (message.type === 'log') this.options.log(message.level, message.error ? `${message.message}: ${message.error}` : message.message);
  }

  private onEvent(event: LifecycleEvent): void {
    if (!isJobEvent(event) || !this.wanted(event)) return;
    this.turnEvents.push(event);
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    // One hand-over per event-loop turn, for every event of the turn.
    setImmediate(() => this.endTurn());
  }

  private endTurn(): void {
    this.turnScheduled = false;
    if (this.turnEvents.length === 0) return;
    const events = this.turnEvents;
    this.turnEvents = [];
    this.posted += events.length;
    this.worker.postMessage({ type: 'events', events });
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

  /**
   * Stops following the stream and gives the queue `graceMs` to drain; what is left stays in
   * the spool for the next start.
   */
  async close(graceMs: number): Promise<void> {
    if (!this.unsubscribe) return this.closedSignal;
    this.unsubscribe();
    this.unsubscribe = null;
    this.endTurn();
    this.worker.postMessage({ type: 'close', graceMs });
    await this.closedSignal;
  }
}
