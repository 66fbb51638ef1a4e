/**
 * `GET /api/v1/events`: the live feed as server-sent events, read from the one lifecycle
 * stream through RecentEvents (ids, resume). Usable by the dashboard and by apps (in-app
 * notifications: filter on a job name prefix or a `data` field such as `data.user_id=42`).
 *
 * Coalescing: each connection gets at most one write every 250 ms, holding at most 50 events;
 * the rest of that window is summed up in one `coalesced` message (counts by type, and the id
 * it covers up to), so a node firing thousands of jobs a second sends a browser a few hundred
 * small messages a minute, and the client knows to reload its views instead.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { NumberedEvent, RecentEvents } from '../../services/recent-events.js';
import { invalidField } from '../../core/errors.js';
import { Text } from '../schemas/common.js';
import { EVENT_TYPES, eventView, matches, type EventFilter } from './event-views.js';
import { bearer } from './bearer.js';

export const FLUSH_MS = 250;
export const EVENTS_PER_FLUSH = 50;
const HEARTBEAT_MS = 15_000;

const EventsQuery = Type.Object(
  {
    types: Type.Optional(Text({ description: 'comma-separated event types, e.g. job.succeeded,job.dead_lettered' })),
    name_prefix: Type.Optional(Text({ description: 'job name (Dapr name or task name) or schedule name prefix' })),
    queue: Type.Optional(Text()),
  },
  {
    additionalProperties: false,
    // data.<field>=value: equality on a field of the job's data (a task job's kwargs).
    patternProperties: { '^data\\.[^.]+$': Type.String() },
  },
);

type EventsQueryType = { types?: string; name_prefix?: string; queue?: string } & Record<string, string | undefined>;

export function registerV1EventRoutes(app: FastifyInstance, recent: RecentEvents): void {
  const open = new Set<FastifyReply>();
  app.addHook('onClose', async () => {
    for (const reply of open) reply.raw.end();
  });

  app.get<{ Querystring: EventsQueryType }>(
    '/events',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['Events'],
        summary: 'Live lifecycle events (text/event-stream, Last-Event-ID resume, coalesced; see docs/api.md)',
        security: bearer,
        querystring: EventsQuery,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const filter = filterOf(request.query);
      recent.start();
      const lastEventId = request.headers['last-event-id'];
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Proxies such as nginx would otherwise hold the stream back.
        'x-accel-buffering': 'no',
      });
      raw.write(`retry: 2000\n: chime live feed\n\n`);
      open.add(reply);

      let pending: NumberedEvent[] = [];
      let skipped: Record<string, number> = {};
      let skippedUpTo = 0;
      let timer: NodeJS.Timeout | null = null;
      const flush = (): void => {
        timer = null;
        let out = '';
        for (const { seq, event } of pending) {
          const id = recent.idOf(seq);
          out += `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(eventView(event, id))}\n\n`;
        }
        if (skippedUpTo > 0) {
          const id = recent.idOf(skippedUpTo);
          out += `id: ${id}\nevent: coalesced\ndata: ${JSON.stringify({ id, up_to: id, counts: skipped })}\n\n`;
        }
        pending = [];
        skipped = {};
        skippedUpTo = 0;
        if (out) raw.write(out);
      };
      const offer = (numbered: NumberedEvent): void => {
        if (!matches(numbered.event, filter)) return;
        if (pending.length < EVENTS_PER_FLUSH) pending.push(numbered);
        else {
          skipped[numbered.event.type] = (skipped[numbered.event.type] ?? 0) + 1;
          skippedUpTo = numbered.seq;
        }
        timer ??= setTimeout(flush, FLUSH_MS);
      };

      if (typeof lastEventId === 'string' && lastEventId !== '') {
        const resume = recent.after(lastEventId);
        if (resume.kind === 'reset') {
          raw.write(`id: ${recent.lastId}\nevent: reset\ndata: ${JSON.stringify({ reason: resume.reason, id: recent.lastId })}\n\n`);
        } else for (const numbered of resume.events) offer(numbered);
      }
      const stop = recent.listen(offer);
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      raw.on('close', () => {
        stop();
        clearInterval(heartbeat);
        if (timer) clearTimeout(timer);
        open.delete(reply);
      });
    },
  );
}

function filterOf(query: EventsQueryType): EventFilter {
  const filter: EventFilter = {};
  if (query.types) {
    const types = query.types.split(',').map((t) => t.trim()).filter(Boolean);
    const unknown = types.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (unknown) throw invalidField('types', `"${unknown}" is not an event type (${EVENT_TYPES.join(', ')})`);
    filter.types = new Set(types);
  }
  if (query.name_prefix) filter.namePrefix = query.name_prefix;
  if (query.queue) filter.queue = query.queue;
  const data = new Map<string, string>();
  for (const [key, value] of Object.entries(query)) if (key.startsWith('data.') && value !== undefined) data.set(key.slice(5), value);
  if (data.size > 0) filter.data = data;
  return filter;
}
