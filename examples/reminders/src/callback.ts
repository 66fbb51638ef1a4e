/**
 * POST /api/jobs/trigger: Chime calls it when a reminder fires (seed 000's callback body:
 * job_name, data {task_id, user_id}, scheduled_time, actual_time).
 *
 * - Idempotent per firing: the delivery id (`webhook-id` when Chime signs its deliveries, else
 *   `chime-job-id`, which every attempt of one firing shares) is recorded in the same
 *   transaction as the notifications it produced; a repeat answers `already_processed`.
 * - Lazy loading (seed 004): the task is read now; a deleted or completed task, or a firing for
 *   a due date the task no longer has (it was rescheduled while Chime was down), is skipped.
 * - Errors answer 500, so Chime retries.
 */
import type { FastifyInstance } from 'fastify';
import type { Notification, RemindersDb } from './db.js';
import type { InAppHub, OutgoingSender } from './notifier.js';

interface TriggerBody {
  job_name?: string;
  data?: { task_id?: number; user_id?: string };
  scheduled_time?: string;
}

export function registerCallback(app: FastifyInstance, db: RemindersDb, hub: InAppHub, sender: OutgoingSender): void {
  app.post<{ Body: TriggerBody }>('/api/jobs/trigger', async (request, reply) => {
    const body = request.body ?? {};
    const taskId = body.data?.task_id;
    if (typeof taskId !== 'number' || typeof body.job_name !== 'string') {
      // Not retryable: a malformed firing stays malformed.
      return reply.status(400).send({ status: 'failed', error: 'data.task_id (number) and job_name are required' });
    }
    const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
    const deliveryId = header('webhook-id') ?? header('chime-job-id') ?? `${body.job_name}@${body.scheduled_time ?? ''}`;
    const now = new Date().toISOString();

    let notification: Notification | null = null;
    const result = db.transaction(() => {
      const previous = db.deliveryOutcome(deliveryId);
      if (previous !== undefined) return { status: 'already_processed', outcome: previous };
      const task = db.getTask(taskId);
      let outcome: string;
      if (!task) outcome = 'skipped: task deleted';
      else if (task.completed) outcome = 'skipped: task completed';
      else if (!task.due_date) outcome = 'skipped: task has no due date';
      else if (body.scheduled_time && Date.parse(body.scheduled_time) !== Date.parse(task.due_date)) outcome = 'skipped: task was rescheduled';
      else {
        outcome = 'notified';
        notification = db.insertNotification({
          user_id: task.user_id,
          task_id: task.id,
          delivery_id: deliveryId,
          title: `Task Reminder: ${task.title}`,
          message: `Your task '${task.title}' is due now!`,
          created_at: now,
        });
        const user = db.getUser(task.user_id);
        const event = { event: 'task_reminder', task_id: task.id, task_title: task.title, due_date: task.due_date, user_id: task.user_id };
        if (user?.webhook_url) {
          db.addOutgoing({ channel: 'webhook', user_id: task.user_id, task_id: task.id, delivery_id: deliveryId, payload: JSON.stringify({ ...event, timestamp: now }) }, Date.now());
        }
        if (sender.brokerEnabled) {
          const cloudEvent = {
            specversion: '1.0',
            id: deliveryId,
            source: '/reminders',
            type: 'com.example.task.reminder',
            subject: String(task.id),
            time: now,
            datacontenttype: 'application/json',
            data: event,
          };
          db.addOutgoing({ channel: 'broker', user_id: task.user_id, task_id: task.id, delivery_id: deliveryId, payload: JSON.stringify(cloudEvent) }, Date.now());
        }
      }
      db.claimDelivery(deliveryId, body.job_name!, taskId, outcome, now);
      return { status: outcome === 'notified' ? 'success' : 'skipped', outcome };
    });
    if (notification) {
      hub.publish(notification);
      sender.kick('webhook');
      sender.kick('broker');
    }
    request.log.info({ deliveryId, task: taskId, ...result }, 'reminder callback');
    return result;
  });
}
