/**
 * GET /api/users/:userId/notifications/stream: the user's in-app notifications as server-sent
 * events. Each event's id is the notification's row id, so a client that reconnects with
 * `Last-Event-ID` (EventSource does it by itself) gets what it missed from the table, then the
 * live ones, none twice.
 */
import type { FastifyInstance } from 'fastify';
import type { Notification, RemindersDb } from './db.js';
import type { InAppHub } from './notifier.js';

export function registerStream(app: FastifyInstance, db: RemindersDb, hub: InAppHub): void {
  app.get<{ Params: { userId: string }; Querystring: { last_event_id?: string } }>('/api/users/:userId/notifications/stream', (request, reply) => {
    const userId = request.params.userId;
    const header = request.headers['last-event-id'];
    let lastSent = Number((typeof header === 'string' ? header : undefined) ?? request.query.last_event_id ?? 0) || 0;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    const send = (n: Notification) => {
      if (n.id <= lastSent) return;
      lastSent = n.id;
      res.write(`id: ${n.id}\nevent: reminder\ndata: ${JSON.stringify(n)}\n\n`);
    };
    // Subscribe before replaying, so nothing falls between the two; `send` drops repeats.
    const live: Notification[] = [];
    let replaying = true;
    const unsubscribe = hub.subscribe(userId, (n) => (replaying ? live.push(n) : send(n)));
    for (let batch = db.notificationsAfter(userId, lastSent); batch.length > 0; batch = db.notificationsAfter(userId, lastSent)) {
      for (const n of batch) send(n);
    }
    replaying = false;
    for (const n of live) send(n);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
