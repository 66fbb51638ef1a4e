/**
 * Whether a worker's heartbeat row (worker.ts saves one every 5 s) stands for a live process:
 * on this host, whether its pid is alive (so a kill -9 shows at once); elsewhere, whether it
 * beat within the last three intervals.
 */
import { hostname } from 'node:os';

/** A worker whose heartbeat is older than this (three missed beats) counts as gone. */
export const HEARTBEAT_STALE_MS = 15_000;

/** The fields of a worker's registration (the store's WorkerInfo) the rule reads. */
export interface WorkerHeartbeat {
  status: string;
  hostname: string;
  pid: number;
  lastSeenAt: number;
}

export function isWorkerLive(worker: WorkerHeartbeat, now: number): boolean {
  if (worker.status !== 'active') return false;
  if (worker.hostname === hostname()) {
    if (worker.pid === process.pid) return true;
    try {
      process.kill(worker.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return now - worker.lastSeenAt < HEARTBEAT_STALE_MS;
}
