/** The job platform's queues (seed 003): list, pause, resume, clear, and a concurrency limit. */
import type { Clock } from '../core/clock.js';
import { invalidField } from '../core/errors.js';
import type { QueueInfo, Store } from '../store/store.js';
import { LifecycleEvents } from '../core/lifecycle-events.js';
import { QUEUE_NAME } from '../core/tasks.js';

export class PlatformQueues {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: LifecycleEvents = new LifecycleEvents(),
  ) {}

  private changed(queue: string, change: 'paused' | 'resumed' | 'cleared' | 'concurrency', detail: number | null = null): void {
    if (this.events.active) this.events.emit({ type: 'queue.changed', at: this.clock.now(), queue, change, detail });
  }

  async list(): Promise<QueueInfo[]> {
    return this.store.listQueues();
  }

  /** Jobs wait (nothing is lost); running ones finish. */
  async pause(name: string): Promise<void> {
    await this.store.setQueuePaused(checkName(name), true, this.clock.now());
    this.changed(name, 'paused');
  }

  async resume(name: string): Promise<void> {
    await this.store.setQueuePaused(checkName(name), false, this.clock.now());
    this.changed(name, 'resumed');
  }

  /** Removes the queue's waiting jobs; returns how many. */
  async clear(name: string): Promise<number> {
    const removed = await this.store.clearQueue(checkName(name));
    this.changed(name, 'cleared', removed);
    return removed;
  }

  async setConcurrency(name: string, limit: number | null): Promise<void> {
    await this.store.setQueueConcurrency(checkName(name), limit, this.clock.now());
    this.changed(name, 'concurrency', limit);
  }
}

function checkName(name: string): string {
  if (!QUEUE_NAME.test(name)) throw invalidField('queue_name', 'must use letters, digits, _ . : - (at most 100)');
  return name;
}
