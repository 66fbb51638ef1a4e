/** Recording attempts' outcomes on Redis: one script for the batch. */
import type { DueSignal, JobOutcome } from '../store.js';
import type { RedisContext } from './context.js';
import { attemptJson, optional, signalsFromFlat } from './rows.js';

export async function recordOutcomes(ctx: RedisContext, outcomes: readonly JobOutcome[]): Promise<DueSignal[]> {
  const args: (string | number)[] = [outcomes.length];
  for (const o of outcomes) {
    args.push(
      o.jobId,
      o.owner,
      o.status,
      o.status === 'retrying' && o.retryAt !== undefined ? o.retryAt : '',
      o.finishedAt,
      optional(o.result),
      optional(o.error ? JSON.stringify(o.error) : null),
      attemptJson(o.attempt),
      o.startedAt ?? '',
    );
  }
  return signalsFromFlat(await ctx.script<string[]>('chimeRecordOutcomes', args));
}
