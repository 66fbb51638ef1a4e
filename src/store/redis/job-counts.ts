/** `jobCounts` on Redis: set sizes of the live jobs, and the failed jobs of the callback queue. */
import { CALLBACK_QUEUE } from '../../core/types.js';
import type { JobCounts } from '../store.js';
import type { RedisContext } from './context.js';

export async function jobCounts(ctx: RedisContext): Promise<JobCounts> {
  const [deadLetters, ...flat] = await ctx.script<[number, ...(string | number)[]]>('chimeJobCounts', [CALLBACK_QUEUE]);
  const queues: JobCounts['queues'] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    queues.push({ queue: String(flat[i]), waiting: Number(flat[i + 1]), claimed: Number(flat[i + 2]) });
  }
  return { queues: queues.sort((a, b) => a.queue.localeCompare(b.queue)), deadLetters };
}
