/**
 * What a starting node takes back at once instead of waiting for leases to run out
 * (issue 9: the job in flight at a kill -9 waited its full 30 s lease after a restart).
 *
 * - Its own leases from a previous life: a node's id is stable across restarts (see
 *   server/node-identity.ts), and a node that is starting holds nothing yet, so every lease
 *   in its name belongs to a process that is gone.
 * - On a store with one owner (a SQLite file), every lease but those of live worker
 *   processes: nothing else can hold one. Workers are judged by their heartbeat row: on this
 *   host by whether their pid is alive, elsewhere by a recent heartbeat.
 */
import { hostname } from 'node:os';
import type { Clock } from '../core/clock.js';
import type { ReapRequest, Store, WorkerInfo } from '../store/store.js';

/** A worker whose heartbeat is older than this (three missed beats) counts as gone. */
const HEARTBEAT_STALE_MS = 15_000;

export async function startTakeBacks(
  store: Store,
  clock: Clock,
  nodeId: string,
  singleOwner: boolean,
): Promise<NonNullable<ReapRequest['takeBack']>[]> {
  const own = { owners: [nodeId] };
  if (!singleOwner) return [own];
  const workers = await store.listWorkers();
  const live = workers.filter((w) => w.id !== nodeId && isAlive(w, clock.now())).map((w) => w.id);
  return [own, { allExcept: [nodeId, ...live] }];
}

function isAlive(worker: WorkerInfo, now: number): boolean {
  if (worker.status !== 'active') return false;
  if (worker.hostname === hostname()) {
    if (worker.pid === process.pid) return false;
    try {
      process.kill(worker.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return now - worker.lastSeenAt < HEARTBEAT_STALE_MS;
}
