/**
 * Keeps Chime's reminder jobs in step with the tasks, through the `reminder_ops` outbox.
 *
 * Every task change that affects its reminder writes an op in the same transaction as the
 * change; this loop applies the ops to Chime's Dapr-style Jobs API in order: `schedule` is
 * POST /v1.0/jobs/{name} with `overwrite: true` (create and reschedule alike), `cancel` is a
 * DELETE (404 counts as done). While Chime is down the loop backs off and tries again, so task
 * writes never fail because of the scheduler (seed 002 "graceful degradation"), and reminders
 * catch up once Chime is back.
 */
import type { RemindersDb, ReminderOp, Task } from './db.js';

export type Log = (message: string) => void;

/** Chime answered 4xx (other than 408 and 429): the request itself is wrong. */
class Refused extends Error {}

function failure(what: string, status: number, body: string): Error {
  const message = `${what}: HTTP ${status} ${body}`;
  return status >= 400 && status < 500 && status !== 408 && status !== 429 ? new Refused(message) : new Error(message);
}

/** Seed 002's job name convention. */
export function reminderJobName(task: Pick<Task, 'id' | 'user_id'>): string {
  return `task-reminder-${task.id}-${task.user_id}`;
}

export class ReminderScheduler {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private backoffMs = 250;
  private stopped = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly db: RemindersDb,
    private readonly chimeUrl: string,
    private readonly log: Log,
  ) {}

  /** Applies waiting ops now (or right after the pass under way). */
  kick(): void {
    if (this.stopped) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      for (const wake of this.waiters) wake();
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Kicks and waits up to `ms` for the task's ops to reach Chime; true if they did. */
  async applyNow(taskId: number, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    this.kick();
    while (this.db.pendingReminderOps(taskId) > 0 && Date.now() < deadline && !this.stopped) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
        setTimeout(wake, Math.max(1, deadline - Date.now())).unref();
      });
    }
    return this.db.pendingReminderOps(taskId) === 0;
  }

  private async pass(): Promise<void> {
    for (;;) {
      const ops = this.db.nextReminderOps(100);
      if (ops.length === 0) {
        this.backoffMs = 250;
        return;
      }
      for (const op of ops) {
        try {
          await this.apply(op);
          this.db.reminderOpDone(op.id);
        } catch (error) {
          if (error instanceof Refused) {
            // Chime refused the request itself (a 4xx): sending it again cannot help, and it must not hold up the rest.
            this.log(`dropping reminder op ${op.action} for task ${op.task_id}: ${error.message}`);
            this.db.reminderOpDone(op.id);
            continue;
          }
          this.db.reminderOpFailed(op.id);
          if (this.backoffMs === 250) this.log(`chime unreachable (${(error as Error).message}); reminders wait in the outbox`);
          // In order: a later op for the same task must not overtake this one.
          this.timer = setTimeout(() => this.kick(), this.backoffMs);
          this.backoffMs = Math.min(this.backoffMs * 2, 5000);
          return;
        }
      }
      if (this.backoffMs !== 250) this.log('chime reachable again; outbox applied');
      this.backoffMs = 250;
    }
  }

  private async apply(op: ReminderOp): Promise<void> {
    const name = reminderJobName({ id: op.task_id, user_id: op.user_id });
    const url = `${this.chimeUrl}/v1.0/jobs/${encodeURIComponent(name)}`;
    if (op.action === 'schedule') {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // Only ids in the job (seed 004 "lazy loading"): the callback reads the task fresh.
        body: JSON.stringify({ schedule: '', repeats: 1, dueTime: op.due_date, data: { task_id: op.task_id, user_id: op.user_id }, overwrite: true }),
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw failure(`schedule ${name}`, response.status, await response.text());
      return;
    }
    const response = await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(5000) });
    if (!response.ok && response.status !== 404) throw failure(`cancel ${name}`, response.status, await response.text());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
