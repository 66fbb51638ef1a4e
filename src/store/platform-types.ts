/** The job platform's views (queues, tasks, workers, statistics), part of the `Store` contract. */
import type { JobStatus, Priority, ScheduleStatus } from '../core/types.js';

/** A queue as the platform shows it. */
export interface QueueInfo {
  name: string;
  /** Jobs waiting (pending or retrying). */
  size: number;
  /** Jobs claimed (reserved or running). */
  running: number;
  isPaused: boolean;
  /** Most jobs of this queue running at once across all workers; null = no limit. */
  concurrency: number | null;
}

/** A task as a worker registered it. */
export interface TaskInfo {
  name: string;
  version: string;
  description: string;
  queue: string;
  timeoutMs: number;
  maxRetries: number;
  retryDelayMs: number;
  isAsync: boolean;
  registeredAt: number;
  lastSeenAt: number;
}

/** A worker process (or a server running tasks), as its heartbeat reports it. */
export interface WorkerInfo {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  tasks: string[];
  concurrency: number;
  startedAt: number;
  lastSeenAt: number;
  status: 'active' | 'stopped';
}

export interface StatusCounts {
  total: number;
  byStatus: Record<JobStatus, number>;
}

export interface JobStats extends StatusCounts {
  /** Mean of started_at - max(scheduled_at, created_at) over started jobs, ms. */
  avgWaitMs: number | null;
  /** Mean of completed_at - started_at over completed jobs, ms. */
  avgRunMs: number | null;
  byQueue: Record<string, StatusCounts>;
  byPriority: Record<Priority, number>;
}

/** Cheap counts for metrics: live jobs per queue (callbacks included) and dead letters. */
export interface JobCounts {
  /** Waiting: pending or retrying. Claimed: reserved or running. */
  queues: { queue: string; waiting: number; claimed: number }[];
  /** Callback jobs whose retries are spent (status failed), waiting for a retry or retention. */
  deadLetters: number;
}

/** Callback (Dapr-style) schedules by status. */
export type ScheduleCounts = Record<ScheduleStatus, number>;
