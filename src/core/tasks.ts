/**
 * Task definitions: what a worker can run. Field names follow the job platform (seed 003):
 * `timeout`, `max_retries`, `retry_delay` in seconds.
 */
import { invalidField } from './errors.js';

/** What a handler receives for one attempt. */
export interface TaskContext {
  args: unknown[];
  kwargs: Record<string, unknown>;
  /**
   * Fires on timeout, cancel, or shutdown; long handlers should pass it on or check it.
   * Made on first read, as `scheduledAt` and `metadata` are: read-only getters.
   */
  readonly signal: AbortSignal;
  jobId: string;
  /** 1 on the first attempt. */
  attempt: number;
  queue: string;
  /** The job's `scheduled_at`. */
  readonly scheduledAt: Date;
  readonly metadata: Record<string, unknown>;
}

export type TaskHandler<R = unknown> = (context: TaskContext) => Promise<R> | R;

export interface TaskOptions<R = unknown> {
  name: string;
  /** @default '1.0' */
  version?: string;
  /** @default '' */
  description?: string;
  /** @default 'default' */
  queue?: string;
  /** Seconds an attempt may run before it is aborted and counted as timed out. @default 300 */
  timeout?: number;
  /** Retries after a failed attempt (jobs may override). @default 3 */
  max_retries?: number;
  /** Seconds between attempts (jobs may override). @default 60 */
  retry_delay?: number;
  handler: TaskHandler<R>;
}

export interface TaskDefinition<R = unknown> extends Required<Omit<TaskOptions<R>, 'handler'>> {
  handler: TaskHandler<R>;
  isAsync: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,199}$/;
/** v1 queue names; `$` is kept for internal queues (the callback lane). */
export const QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * Declares a task.
 * @example
 * export const processData = defineTask({
 *   name: 'process_data',
 *   queue: 'default',
 *   timeout: 30,
 *   async handler({ args, kwargs, signal }) {
 *     return { processed: args[0] };
 *   },
 * });
 */
export function defineTask<R>(options: TaskOptions<R>): TaskDefinition<R> {
  if (typeof options?.name !== 'string' || !NAME.test(options.name)) {
    throw invalidField('name', 'must start with a letter or _ and use letters, digits, _ . : - (at most 200)');
  }
  if (typeof options.handler !== 'function') throw invalidField(`${options.name}.handler`, 'must be a function');
  const queue = options.queue ?? 'default';
  if (!QUEUE_NAME.test(queue)) throw invalidField(`${options.name}.queue`, 'must use letters, digits, _ . : - (at most 100)');
  const seconds = (field: 'timeout' | 'retry_delay' | 'max_retries', value: number | undefined, fallback: number): number => {
    const resolved = value ?? fallback;
    if (typeof resolved !== 'number' || !Number.isFinite(resolved) || resolved < 0) {
      throw invalidField(`${options.name}.${field}`, 'must be a number of 0 or more');
    }
    return resolved;
  };
  return {
    name: options.name,
    version: options.version ?? '1.0',
    description: options.description ?? '',
    queue,
    timeout: seconds('timeout', options.timeout, 300),
    max_retries: Math.floor(seconds('max_retries', options.max_retries, 3)),
    retry_delay: seconds('retry_delay', options.retry_delay, 60),
    handler: options.handler,
    isAsync: options.handler.constructor.name === 'AsyncFunction',
  };
}

export function isTaskDefinition(value: unknown): value is TaskOptions {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as TaskOptions).name === 'string' &&
    typeof (value as TaskOptions).handler === 'function'
  );
}

/**
 * The tasks a module exports: a default export (one task, an array, or an object of
 * tasks) and/or named exports that are tasks. Plain objects work too, so a tasks file need
 * not import Chime.
 */
export function tasksFromModule(module: Record<string, unknown>): TaskDefinition[] {
  const found: unknown[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (isTaskDefinition(value)) found.push(value);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(module.default);
  for (const [key, value] of Object.entries(module)) if (key !== 'default' && isTaskDefinition(value)) found.push(value);
  const unique = new Map<string, TaskDefinition>();
  for (const options of found) {
    const definition = 'isAsync' in (options as object) ? (options as TaskDefinition) : defineTask(options as TaskOptions);
    unique.set(`${definition.name}@${definition.version}`, definition);
  }
  return [...unique.values()];
}
