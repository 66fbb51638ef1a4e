/**
 * The app's own SQLite database. Besides users and tasks it keeps three small outboxes, so
 * nothing the app promised is lost when a neighbour is down:
 * - `reminder_ops`: reminder schedules/cancels for Chime, written in the same transaction as the
 *   task change (a task is created even while Chime is down; the reminder follows later);
 * - `deliveries`: Chime firings already handled (idempotency by delivery id);
 * - `outgoing`: notifications still to send on the webhook and broker channels, with attempts
 *   and the time of the next try (exponential backoff).
 */
import Database from 'better-sqlite3';

export interface Task {
  id: number;
  user_id: string;
  title: string;
  due_date: string | null;
  completed: number;
  created_at: string;
  updated_at: string;
}

export interface User {
  id: string;
  webhook_url: string | null;
  webhook_secret: string | null;
}

export interface ReminderOp {
  id: number;
  task_id: number;
  user_id: string;
  action: 'schedule' | 'cancel';
  due_date: string | null;
  attempts: number;
}

export interface Outgoing {
  id: number;
  channel: 'webhook' | 'broker';
  user_id: string;
  task_id: number;
  delivery_id: string;
  payload: string;
  attempts: number;
  next_at: number;
}

export interface Notification {
  id: number;
  user_id: string;
  task_id: number;
  delivery_id: string;
  title: string;
  message: string;
  created_at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, webhook_url TEXT, webhook_secret TEXT);
CREATE TABLE IF NOT EXISTS tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, title TEXT NOT NULL, due_date TEXT,
  completed INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reminder_ops (
  id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, user_id TEXT NOT NULL,
  action TEXT NOT NULL, due_date TEXT, attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS deliveries (delivery_id TEXT PRIMARY KEY, job_name TEXT NOT NULL, task_id INTEGER, outcome TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, task_id INTEGER NOT NULL,
  delivery_id TEXT NOT NULL, title TEXT NOT NULL, message TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notifications_user ON notifications (user_id, id);
CREATE TABLE IF NOT EXISTS outgoing (
  id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, user_id TEXT NOT NULL, task_id INTEGER NOT NULL,
  delivery_id TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
  failed INTEGER NOT NULL DEFAULT 0);
`;

export class RemindersDb {
  readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  upsertUser(user: User): User {
    this.db
      .prepare('INSERT INTO users (id, webhook_url, webhook_secret) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret')
      .run(user.id, user.webhook_url, user.webhook_secret);
    return user;
  }

  getUser(id: string): User | undefined {
    return this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as User | undefined;
  }

  insertTask(userId: string, title: string, dueDate: string | null, now: string): Task {
    const info = this.db.prepare('INSERT INTO tasks (user_id, title, due_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(userId, title, dueDate, now, now);
    return this.getTask(Number(info.lastInsertRowid))!;
  }

  getTask(id: number): Task | undefined {
    return this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as Task | undefined;
  }

  updateTask(id: number, fields: { title: string; due_date: string | null; completed: number }, now: string): Task {
    this.db.prepare('UPDATE tasks SET title = ?, due_date = ?, completed = ?, updated_at = ? WHERE id = ?').run(fields.title, fields.due_date, fields.completed, now, id);
    return this.getTask(id)!;
  }

  deleteTask(id: number): void {
    this.db.prepare('DELETE FROM tasks WHERE id = ?').run(id);
  }

  addReminderOp(task: Pick<Task, 'id' | 'user_id'>, action: 'schedule' | 'cancel', dueDate: string | null): void {
    this.db.prepare('INSERT INTO reminder_ops (task_id, user_id, action, due_date) VALUES (?, ?, ?, ?)').run(task.id, task.user_id, action, dueDate);
  }

  nextReminderOps(limit: number): ReminderOp[] {
    return this.db.prepare('SELECT * FROM reminder_ops ORDER BY id LIMIT ?').all(limit) as ReminderOp[];
  }

  reminderOpDone(id: number): void {
    this.db.prepare('DELETE FROM reminder_ops WHERE id = ?').run(id);
  }

  reminderOpFailed(id: number): void {
    this.db.prepare('UPDATE reminder_ops SET attempts = attempts + 1 WHERE id = ?').run(id);
  }

  pendingReminderOps(taskId: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM reminder_ops WHERE task_id = ?').get(taskId) as { n: number }).n;
  }

  /** Records a handled firing; false if this delivery id was handled before. */
  claimDelivery(deliveryId: string, jobName: string, taskId: number | null, outcome: string, now: string): boolean {
    const info = this.db.prepare('INSERT OR IGNORE INTO deliveries (delivery_id, job_name, task_id, outcome, at) VALUES (?, ?, ?, ?, ?)').run(deliveryId, jobName, taskId, outcome, now);
    return info.changes === 1;
  }

  deliveryOutcome(deliveryId: string): string | undefined {
    return (this.db.prepare('SELECT outcome FROM deliveries WHERE delivery_id = ?').get(deliveryId) as { outcome: string } | undefined)?.outcome;
  }

  insertNotification(n: Omit<Notification, 'id'>): Notification {
    const info = this.db
      .prepare('INSERT INTO notifications (user_id, task_id, delivery_id, title, message, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(n.user_id, n.task_id, n.delivery_id, n.title, n.message, n.created_at);
    return { ...n, id: Number(info.lastInsertRowid) };
  }

  notificationsAfter(userId: string, afterId: number, limit = 1000): Notification[] {
    return this.db.prepare('SELECT * FROM notifications WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?').all(userId, afterId, limit) as Notification[];
  }

  addOutgoing(o: Pick<Outgoing, 'channel' | 'user_id' | 'task_id' | 'delivery_id' | 'payload'>, now: number): void {
    this.db.prepare('INSERT INTO outgoing (channel, user_id, task_id, delivery_id, payload, next_at) VALUES (?, ?, ?, ?, ?, ?)').run(o.channel, o.user_id, o.task_id, o.delivery_id, o.payload, now);
  }

  dueOutgoing(channel: Outgoing['channel'], now: number, limit: number): Outgoing[] {
    return this.db.prepare('SELECT * FROM outgoing WHERE channel = ? AND failed = 0 AND next_at <= ? ORDER BY id LIMIT ?').all(channel, now, limit) as Outgoing[];
  }

  nextOutgoingAt(channel: Outgoing['channel']): number | null {
    return (this.db.prepare('SELECT MIN(next_at) AS at FROM outgoing WHERE channel = ? AND failed = 0').get(channel) as { at: number | null }).at;
  }

  outgoingSent(id: number): void {
    this.db.prepare('DELETE FROM outgoing WHERE id = ?').run(id);
  }

  outgoingRetry(id: number, nextAt: number, giveUp: boolean): void {
    this.db.prepare('UPDATE outgoing SET attempts = attempts + 1, next_at = ?, failed = ? WHERE id = ?').run(nextAt, giveUp ? 1 : 0, id);
  }

  close(): void {
    this.db.close();
  }
}
