/**
 * Seed 002's `JobManager`: task reminders on top of the Jobs API, one named job per
 * (task, user): `task-reminder-{task_id}-{user_id}`.
 */
import { reminderJobName } from '../core/reminders.js';
import { ChimeApiError, type HttpClientOptions } from './http.js';
import { SchedulerClient } from './scheduler-client.js';

export interface ReminderScheduled {
  job_name: string;
  /** The due date, RFC 3339. */
  scheduled_for: string;
}

/**
 * @example
 * const jobManager = new JobManager({ baseUrl: 'http://127.0.0.1:3500' });
 * await jobManager.scheduleTaskReminder(123, 'user-xyz', new Date('2025-01-15T14:30:00Z'));
 * await jobManager.rescheduleTaskReminder(123, 'user-xyz', new Date('2025-01-16T09:00:00Z'));
 * await jobManager.cancelTaskReminder(123, 'user-xyz');
 */
export class JobManager {
  readonly scheduler: SchedulerClient;

  constructor(scheduler: SchedulerClient | HttpClientOptions) {
    this.scheduler = scheduler instanceof SchedulerClient ? scheduler : new SchedulerClient(scheduler);
  }

  /** Schedules the reminder; fails with 409 if the task already has one (reschedule it instead). */
  async scheduleTaskReminder(
    taskId: string | number,
    userId: string | number,
    dueDate: Date | string,
    data: Record<string, unknown> = {},
  ): Promise<ReminderScheduled> {
    return this.put(taskId, userId, dueDate, data, false);
  }

  /** Moves the reminder to a new due date (creating it if the task had none). */
  async rescheduleTaskReminder(
    taskId: string | number,
    userId: string | number,
    newDueDate: Date | string,
    data: Record<string, unknown> = {},
  ): Promise<ReminderScheduled> {
    return this.put(taskId, userId, newDueDate, data, true);
  }

  /** Cancels the reminder; resolves to false when there was none. */
  async cancelTaskReminder(taskId: string | number, userId: string | number): Promise<boolean> {
    try {
      await this.scheduler.deleteJob(reminderJobName(taskId, userId));
      return true;
    } catch (error) {
      if (error instanceof ChimeApiError && error.status === 404) return false;
      throw error;
    }
  }

  private async put(
    taskId: string | number,
    userId: string | number,
    due: Date | string,
    data: Record<string, unknown>,
    overwrite: boolean,
  ): Promise<ReminderScheduled> {
    const name = reminderJobName(taskId, userId);
    const dueTime = due instanceof Date ? due.toISOString() : due;
    await this.scheduler.scheduleJob(name, { dueTime, data: { ...data, task_id: taskId, user_id: userId }, overwrite });
    return { job_name: name, scheduled_for: dueTime };
  }
}
