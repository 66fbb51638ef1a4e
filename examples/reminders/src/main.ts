/**
 * Starts the reminders service. Environment:
 *   PORT (8000; 0 picks a free port), HOST (127.0.0.1), DATABASE (./reminders.db),
 *   CHIME_URL (http://127.0.0.1:3500), BROKER_URL (optional, redis://host:6379?stream=task-reminders)
 */
import { RemindersDb } from './db.js';
import { buildRemindersApp } from './app.js';

const log = (message: string) => process.stderr.write(`reminders: ${message}\n`);
const db = new RemindersDb(process.env.DATABASE ?? './reminders.db');
const reminders = buildRemindersApp({
  db,
  chimeUrl: process.env.CHIME_URL ?? 'http://127.0.0.1:3500',
  brokerUrl: process.env.BROKER_URL || null,
  log,
});
const address = await reminders.app.listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1' });
log(`listening on ${address}`);
// Work left by an earlier run: reminders not yet in Chime, notifications not yet sent.
reminders.scheduler.kick();
reminders.sender.kick('webhook');
reminders.sender.kick('broker');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void reminders.close().then(() => {
      db.close();
      process.exit(0);
    });
  });
}
