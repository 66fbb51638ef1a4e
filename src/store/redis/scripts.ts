/**
 * The Lua scripts (lua/*.lua), registered with ioredis `defineCommand`: each runs by EVALSHA
 * (its SHA cached by Redis after the first call), falling back to EVAL once after a Redis
 * restart empties the script cache.
 *
 * A script names the prelude files it uses with `--- @include "prelude/<name>"` lines; they
 * are resolved here, once, when this module loads: each included file once, its own includes
 * first, after the key layout (keys.ts `LUA_KEYS`). A script thus carries only the helpers it
 * calls (a schedule lookup is ~60 lines with the key layout, a claim ~480) instead of the
 * whole prelude in every script.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { GLOBAL_KEYS, LUA_KEYS } from './keys.js';

/** The script files, by the command name each is defined as. */
const SCRIPT_FILES = {
  chimeAdvanceSchedules: 'advance-schedules',
  chimeCallbackScheduleCountsChunk: 'callback-schedule-counts-chunk',
  chimeCancelJob: 'cancel-job',
  chimeClaimDue: 'claim-due',
  chimeClearQueue: 'clear-queue',
  chimeCreateSchedule: 'create-schedule',
  chimeDeleteFinishedJob: 'delete-finished-job',
  chimeDeleteSchedule: 'delete-schedule',
  chimeExtendLeases: 'extend-leases',
  chimeGetScheduleByName: 'get-schedule-by-name',
  chimeInsertJobs: 'insert-jobs',
  chimeJobCounts: 'job-counts',
  chimeJobStatsChunk: 'job-stats-chunk',
  chimeListHistory: 'list-history',
  chimeListJobs: 'list-jobs',
  chimeListQueues: 'list-queues',
  chimeListSchedules: 'list-schedules',
  chimePeekDue: 'peek-due',
  chimePurgeFinished: 'purge-finished',
  chimeRecoverClaim: 'recover-claim',
  chimeReapExpired: 'reap-expired',
  chimeRecordOutcomes: 'record-outcomes',
  chimeReleaseLeases: 'release-leases',
  chimeRetryJob: 'retry-job',
  chimeStartJobs: 'start-jobs',
  chimeUpdateSchedule: 'update-schedule',
} as const;

export type ScriptName = keyof typeof SCRIPT_FILES;

const LUA_DIR = new URL('./lua/', import.meta.url);
const INCLUDE = /^--- @include "([a-z0-9/-]+)"$/;

function readLua(name: string): string {
  return readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8');
}

/**
 * A script's source with its includes resolved: the key layout, then every prelude file it
 * needs (dependencies before dependants, each once), then the script itself.
 */
export function buildScript(name: string): string {
  const parts: string[] = [LUA_KEYS];
  const seen = new Set<string>();
  const add = (file: string, chain: readonly string[]): void => {
    if (seen.has(file)) return;
    if (chain.includes(file)) throw new Error(`lua: include cycle ${[...chain, file].join(' -> ')}`);
    const source = readLua(file);
    for (const line of source.split('\n')) {
      const include = INCLUDE.exec(line);
      if (include) add(include[1]!, [...chain, file]);
    }
    seen.add(file);
    parts.push(source);
  };
  add(name, []);
  return parts.join('\n');
}

/** Every script, built once per process. */
export const SCRIPTS: Readonly<Record<ScriptName, string>> = Object.fromEntries(
  Object.entries(SCRIPT_FILES).map(([command, file]) => [command, buildScript(file)]),
) as Record<ScriptName, string>;

type ScriptCommand = (args: (string | number)[]) => Promise<unknown>;

export function defineScripts(redis: Redis): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name, { numberOfKeys: GLOBAL_KEYS.length, lua });
  }
}

/**
 * Runs a defined script with the global keys and the common ARGV (prefix, channel, origin).
 * `reply: 'buffer'` takes the reply's strings as Buffers (ioredis's `<name>Buffer` variant):
 * for a script that answers one MessagePack string (packedScript).
 */
export function runScript(
  redis: Redis,
  name: ScriptName,
  keys: readonly string[],
  common: readonly string[],
  args: readonly (string | number)[],
  reply: 'string' | 'buffer' = 'string',
): Promise<unknown> {
  const command = (redis as unknown as Record<string, ScriptCommand>)[reply === 'buffer' ? `${name}Buffer` : name];
  // One array argument (ioredis flattens it): a 10,000-job insert has ~250k arguments,
  // beyond what a JavaScript spread call accepts.
  return command.call(redis, [...keys, ...common, ...args]);
}
