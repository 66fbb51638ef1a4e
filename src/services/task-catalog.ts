/**
 * The registered tasks, as job creation sees them. Cached, because every create checks the
 * task name; a miss re-reads the store once (a worker may have registered it a moment ago).
 */
import type { Clock } from '../core/clock.js';
import { ChimeError } from '../core/errors.js';
import type { Store, TaskInfo } from '../store/store.js';

export class TaskCatalog {
  private cache = new Map<string, TaskInfo[]>();
  private loadedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** How long the cache is trusted before a re-read. */
    private readonly ttlMs = 2000,
  ) {}

  /** The task a job names, or TASK_NOT_FOUND ("Task not found: process_data", as seed 003). */
  async resolve(name: string, version?: string): Promise<TaskInfo> {
    const found = (await this.lookup(name, version, false)) ?? (await this.lookup(name, version, true));
    if (!found) {
      const suffix = version === undefined ? '' : ` (version ${version})`;
      throw new ChimeError('TASK_NOT_FOUND', `Task not found: ${name}${suffix}`, { field: 'task_name' });
    }
    return found;
  }

  private async lookup(name: string, version: string | undefined, fresh: boolean): Promise<TaskInfo | undefined> {
    if (fresh || this.clock.now() - this.loadedAt > this.ttlMs) await this.reload();
    const versions = this.cache.get(name);
    if (!versions) return undefined;
    if (version === undefined) return versions.reduce((a, b) => (b.registeredAt >= a.registeredAt ? b : a));
    return versions.find((t) => t.version === version);
  }

  private async reload(): Promise<void> {
    const next = new Map<string, TaskInfo[]>();
    for (const task of await this.store.listTasks()) next.set(task.name, [...(next.get(task.name) ?? []), task]);
    this.cache = next;
    this.loadedAt = this.clock.now();
  }
}
