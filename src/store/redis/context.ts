import type { Redis } from 'ioredis';
import type { JobTarget } from '../../core/types.js';
import type { DueSignals } from '../due-signals.js';
import type { DueSignal } from '../store.js';
import { mapRedisError } from './connection.js';
import type { RedisKeys } from './keys.js';
import { runScript, type ScriptName } from './scripts.js';

/** The open connection and what every operation needs with it. Internal to redis/. */
export class RedisContext {
  private readonly common: readonly string[];

  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    /** This store instance's id in published signals: its own come back and are skipped. */
    readonly origin: string,
    readonly useServerClock: boolean,
    private readonly signals: DueSignals,
  ) {
    this.common = [keys.prefix, keys.dueChannel, origin];
  }

  /** Runs one script (one atomic transition), mapping failures into the error registry. */
  async script<T = unknown>(name: ScriptName, args: readonly (string | number)[]): Promise<T> {
    try {
      return (await runScript(this.redis, name, this.keys.globals, this.common, args)) as T;
    } catch (error) {
      throw mapRedisError(error);
    }
  }

  /** Runs plain commands (reads, idempotent upserts), mapping failures likewise. */
  async call<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await fn(this.redis);
    } catch (error) {
      throw mapRedisError(error);
    }
  }

  /** Hands a script's due signals (target, queue, runAt, more '1'/'0', ...) to local listeners at once. */
  emitFlat(flat: readonly string[]): void {
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const signal: DueSignal = { target: flat[i] as JobTarget, queue: flat[i + 1]!, runAt: Number(flat[i + 2]) };
      if (flat[i + 3] === '1') signal.more = true;
      this.signals.emit(signal);
    }
  }

  emit(signal: DueSignal | null): void {
    this.signals.emit(signal);
  }
}
