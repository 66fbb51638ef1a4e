/** Seed 002's naming for task reminders: one job per (task, user). */
export function reminderJobName(taskId: string | number, userId: string | number): string {
  return `task-reminder-${taskId}-${userId}`;
}
