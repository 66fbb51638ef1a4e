/**
 * Connections, failure mapping and the durability check of the Redis store.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { ChimeError, chimeError, isMessageId } from '../../core/errors.js';

/** Reconnect backoff: 50 ms, 100 ms, ... capped at 2 s, forever. */
const MAX_RECONNECT_DELAY_MS = 2000;
/** A connection attempt that hangs (a black-holed address) gives up after this long. */
const CONNECT_TIMEOUT_MS = 3000;

/**
 * Fail fast during an outage instead of queueing: with no offline queue a command sent while
 * disconnected is rejected at once, and with zero retries per request the commands in
 * flight when the socket drops are rejected at once too, never resent: a claim or an
 * insert whose reply was lost may have run, and running it again is not the caller's
 * choice to make. Both surface as STORE_UNAVAILABLE.
 */
export function connectionOptions(subscriber: boolean): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // The subscriber resubscribes itself on 'ready' so it knows when to emit the null signal.
    autoResubscribe: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt: number) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
    connectionName: subscriber ? 'chime:subscriber' : 'chime',
  };
}

export function createConnection(url: string, subscriber: boolean): Redis {
  const redis = new Redis(url, connectionOptions(subscriber));
  // An 'error' event without a listener is printed by ioredis; with one it is ours to
  // handle. Outages are reported through health() and STORE_UNAVAILABLE, not the log.
  redis.on('error', () => {});
  return redis;
}

/** Server-side conditions that pass: the store is there but cannot serve right now. */
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|READONLY|MASTERDOWN|OOM|NOREPLICAS|CLUSTERDOWN|TRYAGAIN|MISCONF)\b/;
/** Redis appends this to errors raised from a script. */
const SCRIPT_SUFFIX = / script: [0-9a-f]+, on @user_script:\d+\.$/;

/** Maps a driver failure into the error registry (STYLE.md §7). */
export function mapRedisError(error: unknown): unknown {
  if (error instanceof ChimeError) return error;
  if (!(error instanceof Error)) return error;
  if (error.name === 'ReplyError') {
    const message = error.message.replace(SCRIPT_SUFFIX, '');
    const space = message.indexOf(' ');
    const id = message.slice(0, space);
    // A script's fail(): a message template and its parameters as JSON (lua/prelude/base.lua).
    if (space > 0 && isMessageId(id)) {
      const params = JSON.parse(message.slice(space + 1)) as Record<string, string | number>;
      return chimeError(id, params as never, { cause: error });
    }
    if (UNAVAILABLE_REPLIES.test(message)) {
      return chimeError('STORE_BUSY', { backend: 'Redis', reply: message }, { cause: error });
    }
    return error;
  }
  // Everything else is the connection: refused, closed, not writeable while reconnecting,
  // aborted in flight, timed out.
  return chimeError('STORE_UNREACHABLE', { backend: 'Redis', problem: connectionProblem(error) }, { cause: error });
}

/**
 * The connection failure in plain words. ioredis' own messages name its options
 * ("Refer to maxRetriesPerRequest option"), which mean nothing to an API client; the
 * original error stays in `cause` for the log.
 */
function connectionProblem(error: Error & { code?: string }): string {
  if (typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code)) return error.code;
  if (/timed? ?out/i.test(error.message)) return 'timed out';
  if (/closed|writeable|max retries/i.test(error.message)) return 'connection down';
  return 'connection failed';
}

/**
 * What the server's persistence settings put at risk. Read once at open; the server's
 * configuration is never changed. A managed Redis may refuse CONFIG: that is a warning too.
 */
export async function durabilityWarnings(redis: Redis): Promise<string[]> {
  let settings: Record<string, string>;
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'appendonly', 'appendfsync', 'maxmemory-policy')) as string[];
    settings = {};
    for (let i = 0; i < reply.length; i += 2) settings[reply[i]!] = reply[i + 1]!;
  } catch (error) {
    return [
      `Redis refused CONFIG GET (${(error as Error).message}); cannot check durability. ` +
        'Make sure the server runs with appendonly yes and maxmemory-policy noeviction, or acknowledged jobs can be lost.',
    ];
  }
  const warnings: string[] = [];
  if (settings.appendonly !== 'yes') {
    warnings.push(
      'Redis runs with appendonly no: jobs acknowledged since the last RDB snapshot are lost if Redis restarts. ' +
        'Set appendonly yes (appendfsync everysec loses at most a second on a machine crash).',
    );
  } else if (settings.appendfsync === 'no') {
    warnings.push('Redis runs with appendfsync no: the OS decides when the append-only file reaches disk, so a machine crash can lose ~30 s of acknowledged jobs.');
  }
  const policy = settings['maxmemory-policy'];
  if (policy !== undefined && policy !== 'noeviction') {
    warnings.push(`Redis runs with maxmemory-policy ${policy}: at its memory limit it evicts keys, jobs included. Set maxmemory-policy noeviction.`);
  }
  return warnings;
}
