/** The job platform's registered tasks and the workers that run them (seed 003, plus workers). */
import { ChimeError } from '../core/errors.js';
import type { Store, TaskInfo, WorkerInfo } from '../store/store.js';

export class PlatformTasks {
  constructor(private readonly store: Store) {}

  async list(): Promise<TaskInfo[]> {
    return this.store.listTasks();
  }

  /**
   * The task's latest version, or the one asked for. An unknown task answers JOB_NOT_FOUND
   * (404) with seed 003's "Task not found: <name>" (job creation's unknown task is a 400,
   * TASK_NOT_FOUND, from TaskCatalog: there the name is a field of the request).
   */
  async get(name: string, version?: string): Promise<TaskInfo> {
    const task = await this.store.getTask(name, version);
    if (!task) {
      const suffix = version ? ` (version ${version})` : '';
      throw new ChimeError('JOB_NOT_FOUND', `Task not found: ${name}${suffix}`);
    }
    return task;
  }

  /** Every registered worker with its last heartbeat, live or not. */
  async workers(): Promise<WorkerInfo[]> {
    return this.store.listWorkers();
  }
}
