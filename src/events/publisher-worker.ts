/**
 * The event publisher's thread: the sink's client library, the CloudEvent mapping and the spool
 * run here, so publishing costs the engine's thread only handing the events over.
 * Messages in: {type:'events', events}, {type:'close', graceMs}. Out: {type:'stats', ...},
 * {type:'log', ...}, {type:'ready', description, spoolDir}, {type:'closed'}, {type:'failed', message}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JobLifecycleEvent } from './cloudevent.js';
import { EventPump } from './event-pump.js';
import { EventSpool } from './event-spool.js';
import { createSink } from './sink.js';

export interface PublisherWorkerData {
  url: string;
  spoolRoot: string;
  source: string;
  batchSize?: number;
  /** Events held in memory at most; the rest of a backlog waits in the spool. */
  maxInMemory?: number;
}

export type PublisherWorkerMessage =
  | { type: 'ready'; description: string; spoolDir: string }
  | { type: 'stats'; received: number; published: number; failures: number; pending: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; error?: string }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

const port = parentPort!;
const data = workerData as PublisherWorkerData;
const post = (message: PublisherWorkerMessage) => port.postMessage(message);

try {
  const sink = await createSink(data.url);
  const spool = new EventSpool(data.spoolRoot);
  let received = 0;
  let statsQueued = false;
  // Coalesced: one stats message per turn at most.
  const report = () => {
    if (statsQueued) return;
    statsQueued = true;
    setImmediate(() => {
      statsQueued = false;
      post({ type: 'stats', received, published: pump.published, failures: pump.failures, pending: pump.pending });
    });
  };
  const pump: EventPump = new EventPump(sink, spool, {
    source: data.source,
    batchSize: data.batchSize,
    maxInMemory: data.maxInMemory,
    log: (level, message, error) => post({ type: 'log', level, message, error: error === undefined ? undefined : String((error as Error)?.message ?? error) }),
    onProgress: report,
  });
  pump.recover();
  post({ type: 'ready', description: sink.description, spoolDir: spool.dir });
  port.on('message', (message: { type: 'events'; events: JobLifecycleEvent[] } | { type: 'close'; graceMs: number }) => {
    if (message.type === 'events') {
      received += message.events.length;
      pump.add(message.events);
      report();
      return;
    }
    void pump.close(message.graceMs).then(() => {
      post({ type: 'stats', received, published: pump.published, failures: pump.failures, pending: pump.pending });
      post({ type: 'closed' });
      port.close();
    });
  });
} catch (error) {
  post({ type: 'failed', message: String((error as Error)?.message ?? error) });
  port.close();
}
