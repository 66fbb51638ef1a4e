/**
 * What a starting node takes back at once instead of waiting for leases to run out
 * (issue 9: the job in flight at a kill -9 waited its full 30 s lease after a restart).
 *
 * - Its own leases from a previous life: a node's id is stable across restarts (see
 *   server/node-identity.ts), and a node that is starting holds nothing yet, so every lease
 *   in its name belongs to a process that is gone.
 * - On a store with one owner (a SQLite file), every lease but those of live worker
 *   processes: nothing else can hold one (worker-liveness.ts judges them).
 */
import type { Clock } from '../core/clock.js';
import type { ReapRequest, Store } from '../store/store.js';
import { isWorkerLive } from '../core/worker-liveness.js';

export async function startTakeBacks(
  store: Store,
  clock: Clock,
  nodeId: string,
  singleOwner: boolean,
): Promise<NonNullable<ReapRequest['takeBack']>[]> {
  const own = { owners: [nodeId] };
  if (!singleOwner) return [own];
  const workers = await store.listWorkers();
  // This process's own worker row (id nodeId) is covered by `own`.
  const live = workers.filter((w) => w.id !== nodeId && isWorkerLive(w, clock.now())).map((w) => w.id);
  return [own, { allExcept: [nodeId, ...live] }];
}
