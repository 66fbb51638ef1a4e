import type { Redis } from 'ioredis';
import { unpack } from 'msgpackr';
import { mapRedisError } from './connection.js';
import type { RedisKeys } from './keys.js';
import { LostClaims } from './lost-claims.js';
import { runScript, type ScriptName } from './scripts.js';

/** The open connection and what every operation needs with it. Internal to redis/. */
export class RedisContext {
  private readonly common: readonly string[];
  /** Claims whose reply was lost, fetched back by their lane's next claim. */
  readonly lostClaims: LostClaims;

  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    /** This store instance's id in published signals: its own come back and are skipped. */
    readonly origin: string,
    /** Claims cap "now" at Redis TIME (see `RedisStoreOptions.useStoreClock`). */
    readonly useStoreClock: boolean,
  ) {
    this.common = [keys.prefix, keys.dueChannel, origin];
    this.lostClaims = new LostClaims(keys, origin);
  }

  /** Runs one script (one atomic transition), mapping failures into the error registry. */
  async script<T = unknown>(name: ScriptName, args: readonly (string | number)[]): Promise<T> {
    try {
      return (await runScript(this.redis, name, this.keys.globals, this.common, args)) as T;
    } catch (error) {
      throw mapRedisError(error);
    }
  }

  /**
   * Runs a script whose reply is one MessagePack string (`cmsgpack.pack` in Lua), and
   * decodes it. For replies of many strings (a claim's jobs): Redis sends one bulk string
   * instead of an item per field, and the client decodes it in one pass instead of making a
   * Buffer and then a string of each item (docs/benchmarks.md, "Redis: a claim's reply as
   * one MessagePack string").
   */
  async packedScript<T = unknown>(name: ScriptName, args: readonly (string | number)[]): Promise<T> {
    let reply: Buffer;
    try {
      reply = (await runScript(this.redis, name, this.keys.globals, this.common, args, 'buffer')) as Buffer;
    } catch (error) {
      throw mapRedisError(error);
    }
    return unpack(reply) as T;
  }

  /** Runs plain commands (reads, idempotent upserts), mapping failures likewise. */
  async call<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await fn(this.redis);
    } catch (error) {
      throw mapRedisError(error);
    }
  }
}
