/** The reminders service: users, tasks with due dates, the Chime callback, notifications. */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerCallback } from './callback.js';
import type { RemindersDb, Task } from './db.js';
import { InAppHub, OutgoingSender } from './notifier.js';
import { PAGE } from './page.js';
import { ReminderScheduler, type Log } from './reminder-scheduler.js';
import { registerStream } from './stream.js';

export interface RemindersOptions {
  db: RemindersDb;
  chimeUrl: string;
  brokerUrl: string | null;
  log: Log;
  /** How long a task write waits for its reminder to reach Chime before answering "pending". */
  scheduleWaitMs?: number;
}

export interface RemindersApp {
  app: FastifyInstance;
  scheduler: ReminderScheduler;
  sender: OutgoingSender;
  close(): Promise<void>;
}

interface TaskInput {
  user_id?: unknown;
  title?: unknown;
  due_date?: unknown;
  completed?: unknown;
}

class BadRequest extends Error {}

function dueDate(value: unknown, field = 'due_date'): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new BadRequest(`${field}: must be an ISO 8601 date-time`);
  return new Date(Date.parse(value)).toISOString();
}

function taskInput(body: TaskInput, field = ''): { user_id: string; title: string; due_date: string | null } {
  if (typeof body?.user_id !== 'string' || body.user_id === '') throw new BadRequest(`${field}user_id: required`);
  if (typeof body.title !== 'string' || body.title === '') throw new BadRequest(`${field}title: required`);
  return { user_id: body.user_id, title: body.title, due_date: dueDate(body.due_date, `${field}due_date`) };
}

export function buildRemindersApp(options: RemindersOptions): RemindersApp {
  const { db, log } = options;
  const app = Fastify({ logger: false });
  const scheduler = new ReminderScheduler(db, options.chimeUrl.replace(/\/+$/, ''), log);
  const hub = new InAppHub();
  const sender = new OutgoingSender(db, options.brokerUrl, log);
  const wait = options.scheduleWaitMs ?? 2000;

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof BadRequest) return reply.status(400).send({ detail: error.message });
    const failure = error as { message?: string; statusCode?: number };
    if ((failure.statusCode ?? 500) >= 500) log(`request failed: ${failure.message}`);
    return reply.status(failure.statusCode ?? 500).send({ detail: failure.message });
  });

  const reminderState = async (task: Task): Promise<string> =>
    (await scheduler.applyNow(task.id, wait)) ? (task.due_date ? 'scheduled' : 'none') : 'pending';

  /** Seed 002 workflow 1: the task is written first; its reminder goes through the outbox. */
  const createTask = (input: ReturnType<typeof taskInput>): Task =>
    db.transaction(() => {
      const task = db.insertTask(input.user_id, input.title, input.due_date, new Date().toISOString());
      if (task.due_date) db.addReminderOp(task, 'schedule', task.due_date);
      return task;
    });

  app.post<{ Body: { id?: unknown; webhook_url?: unknown; webhook_secret?: unknown } }>('/api/users', async (request) => {
    const { id, webhook_url, webhook_secret } = request.body ?? {};
    if (typeof id !== 'string' || id === '') throw new BadRequest('id: required');
    if (webhook_url !== undefined && webhook_url !== null && (typeof webhook_url !== 'string' || !URL.canParse(webhook_url))) throw new BadRequest('webhook_url: must be a URL');
    if (webhook_secret !== undefined && webhook_secret !== null && typeof webhook_secret !== 'string') throw new BadRequest('webhook_secret: must be a string');
    return db.upsertUser({ id, webhook_url: (webhook_url as string) ?? null, webhook_secret: (webhook_secret as string) ?? null });
  });

  app.post<{ Body: TaskInput }>('/api/tasks', async (request, reply) => {
    const task = createTask(taskInput(request.body));
    return reply.status(201).send({ ...task, reminder: await reminderState(task) });
  });

  /** Seed 004 pattern 4: import many, report how many reminders were scheduled. */
  app.post<{ Body: TaskInput[] }>('/api/tasks/batch', async (request) => {
    if (!Array.isArray(request.body)) throw new BadRequest('body: must be an array of tasks');
    const inputs = request.body.map((t, i) => taskInput(t, `[${i}].`));
    const tasks = db.transaction(() => inputs.map(createTask));
    scheduler.kick();
    const states = await Promise.all(tasks.map(reminderState));
    return {
      tasks: tasks.map((t, i) => ({ ...t, reminder: states[i] })),
      scheduled_reminders: states.filter((s) => s === 'scheduled').length,
      pending_reminders: states.filter((s) => s === 'pending').length,
    };
  });

  app.get<{ Params: { id: string } }>('/api/tasks/:id', async (request, reply) => {
    const task = db.getTask(Number(request.params.id));
    return task ?? reply.status(404).send({ detail: 'task not found' });
  });

  /** Seed 004 pattern 2: a new due date reschedules, a cleared one cancels. */
  app.put<{ Params: { id: string }; Body: TaskInput }>('/api/tasks/:id', async (request, reply) => {
    const body = request.body ?? {};
    if (body.completed !== undefined && typeof body.completed !== 'boolean') throw new BadRequest('completed: must be a boolean');
    if (body.title !== undefined && (typeof body.title !== 'string' || body.title === '')) throw new BadRequest('title: must be a non-empty string');
    const newDue = body.due_date === undefined ? undefined : dueDate(body.due_date);
    const task = db.transaction(() => {
      const existing = db.getTask(Number(request.params.id));
      if (!existing) return null;
      const updated = db.updateTask(
        existing.id,
        {
          title: (body.title as string | undefined) ?? existing.title,
          due_date: newDue === undefined ? existing.due_date : newDue,
          completed: body.completed === undefined ? existing.completed : body.completed ? 1 : 0,
        },
        new Date().toISOString(),
      );
      if (newDue !== undefined && newDue !== existing.due_date) {
        if (newDue) db.addReminderOp(updated, 'schedule', newDue);
        else if (existing.due_date) db.addReminderOp(updated, 'cancel', null);
      }
      // Completing a task leaves its reminder: the callback skips it (seed 004 "lazy loading").
      return updated;
    });
    if (!task) return reply.status(404).send({ detail: 'task not found' });
    return { ...task, reminder: await reminderState(task) };
  });

  /** Seed 004 pattern 3: deleting cancels the reminder. */
  app.delete<{ Params: { id: string } }>('/api/tasks/:id', async (request, reply) => {
    const task = db.transaction(() => {
      const existing = db.getTask(Number(request.params.id));
      if (!existing) return null;
      db.deleteTask(existing.id);
      if (existing.due_date) db.addReminderOp(existing, 'cancel', null);
      return existing;
    });
    if (!task) return reply.status(404).send({ detail: 'task not found' });
    scheduler.kick();
    return { message: 'Task deleted' };
  });

  app.get<{ Params: { userId: string }; Querystring: { after?: string } }>('/api/users/:userId/notifications', async (request) =>
    db.notificationsAfter(request.params.userId, Number(request.query.after ?? 0)),
  );

  registerCallback(app, db, hub, sender);
  registerStream(app, db, hub);
  app.get('/', async (_request, reply) => reply.type('text/html').send(PAGE));

  return {
    app,
    scheduler,
    sender,
    async close() {
      await app.close();
      await scheduler.stop();
      await sender.stop();
    },
  };
}
