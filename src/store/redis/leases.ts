/** Leases on Redis: extend, release, start, cancel requests and reaping, one script each. */
import type { Written } from '../store-ops.js';
import type { DueSignal, ReapRequest, ReapedJob } from '../store.js';
import type { RedisContext } from './context.js';
import { signalsFromFlat } from './rows.js';

export async function extendLeases(ctx: RedisContext, owner: string, jobIds: readonly string[], until: number): Promise<string[]> {
  return ctx.script<string[]>('chimeExtendLeases', [owner, until, ...jobIds]);
}

export async function releaseLeases(ctx: RedisContext, owner: string, jobIds: readonly string[], now: number): Promise<DueSignal[]> {
  return signalsFromFlat(await ctx.script<string[]>('chimeReleaseLeases', [owner, now, ...jobIds]));
}

export async function startJobs(ctx: RedisContext, owner: string, jobIds: readonly string[], now: number): Promise<void> {
  await ctx.script('chimeStartJobs', [owner, now, ...jobIds]);
}

export async function reapExpiredLeases(ctx: RedisContext, request: ReapRequest): Promise<Written<ReapedJob[]>> {
  const [reaped, signals] = await ctx.script<[[string, string, ReapedJob['status']][], string[]]>('chimeReapExpired', [
    request.now,
    Math.max(0, request.limit),
    request.takeBack === undefined ? '' : JSON.stringify(request.takeBack),
  ]);
  const value = reaped.map(([jobId, owner, status]) => ({ jobId, previousOwner: owner === '' ? null : owner, status }));
  return { value, signals: signalsFromFlat(signals) };
}

export async function cancelRequested(ctx: RedisContext, jobIds: readonly string[]): Promise<string[]> {
  const flags = await ctx.call((redis) => {
    const pipeline = redis.pipeline();
    for (const id of jobIds) pipeline.hget(ctx.keys.job(id), 'cancel_requested');
    return pipeline.exec();
  });
  return jobIds.filter((_, i) => flags?.[i]?.[1] === '1');
}
