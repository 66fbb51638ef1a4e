/** The job platform's queues (seed 003): list, pause, resume, clear, and a concurrency limit. */
import type { Clock } from '../core/clock.js';
import { invalidField } from '../core/errors.js';
import type { QueueInfo, Store } from '../store/store.js';
import { QUEUE_NAME } from './tasks.js';

export class PlatformQueues {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<QueueInfo[]> {
    return this.store.listQueues();
  }

  /** Jobs wait (nothing is lost); running ones finish. */
  async pause(name: string): Promise<void> {
    await this.store.setQueuePaused(checkName(name), true, this.clock.now());
  }

  async resume(name: string): Promise<void> {
    await this.store.setQueuePaused(checkName(name), false, this.clock.now());
  }

  /** Removes the queue's waiting jobs; returns how many. */
  async clear(name: string): Promise<number> {
    return this.store.clearQueue(checkName(name));
  }

  async setConcurrency(name: string, limit: number | null): Promise<void> {
    await this.store.setQueueConcurrency(checkName(name), limit, this.clock.now());
  }
}

function checkName(name: string): string {
  if (!QUEUE_NAME.test(name)) throw invalidField('queue_name', 'must use letters, digits, _ . : - (at most 100)');
  return name;
}
