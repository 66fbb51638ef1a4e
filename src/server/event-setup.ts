/** Wires event publishing into a server: the sink, its spool folder and the publisher. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { LifecycleEvents } from '../core/lifecycle-events.js';
import type { Logger } from './logger.js';
import type { ServerOptions } from './options.js';
import { EventPublisher } from '../events/event-publisher.js';
import { createSink, redactUrl, type EventSink } from '../events/sink.js';

/** CloudEvent `source` of everything a Chime server publishes. */
export const EVENT_SOURCE = '/chime';

export interface EventParts {
  publisher: EventPublisher | null;
  /** The sink topic delivery publishes through (the events sink), or null without one. */
  sink: EventSink | null;
}

export async function startEventPublishing(
  options: Pick<ServerOptions, 'eventsUrl' | 'eventsTypes' | 'dataDir'>,
  events: LifecycleEvents,
  logger: Logger,
): Promise<EventParts> {
  if (!options.eventsUrl) return { publisher: null, sink: null };
  // One spool per broker URL, so pointing a data dir at another broker does not send it the old one's backlog.
  const key = createHash('sha256').update(redactUrl(options.eventsUrl)).digest('hex').slice(0, 12);
  const publisher = await EventPublisher.start(events, {
    url: options.eventsUrl,
    spoolRoot: join(options.dataDir, 'event-spool', key),
    source: EVENT_SOURCE,
    types: options.eventsTypes,
    log: (level, message, error) => logger.log(level, message, error),
  });
  logger.log('info', `events: publishing ${options.eventsTypes.join(', ')} to ${publisher.description}; spool ${publisher.spoolDir}`);
  // Topic delivery publishes on this thread, through a connection of its own.
  return { publisher, sink: await createSink(options.eventsUrl) };
}
