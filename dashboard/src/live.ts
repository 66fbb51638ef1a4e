/**
 * The live feed: one EventSource on /api/v1/events for the whole page. Views subscribe with a
 * predicate and reload (at most once a second) when a matching event arrives; a `coalesced` or
 * `reset` message (a burst the server summed up, or a gap it could not replay) reloads every view.
 */
export interface LiveEvent {
  id: string;
  type: string;
  at: string;
  job?: { id: string; name: string | null; task_name: string | null; queue: string; scheduled_time: string; attempt: number };
  late_ms?: number;
  outcome?: string | null;
  http_status?: number | null;
  queue?: string;
  name?: string;
  change?: string;
}

type Listener = (event: LiveEvent | null) => void;

const TYPES = [
  'job.created',
  'job.fired',
  'job.succeeded',
  'job.retried',
  'job.failed',
  'job.dead_lettered',
  'job.cancelled',
  'job.skipped',
  'job.requeued',
  'lease.expired',
  'queue.changed',
  'schedule.changed',
];
const RECENT = 30;

const listeners = new Set<Listener>();
const statusListeners = new Set<(connected: boolean) => void>();
export const recent: LiveEvent[] = [];
let source: EventSource | null = null;

export function connectLive(): void {
  if (source) return;
  source = new EventSource('/api/v1/events');
  source.onopen = () => statusListeners.forEach((l) => l(true));
  source.onerror = () => statusListeners.forEach((l) => l(false));
  for (const type of TYPES) {
    source.addEventListener(type, (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as LiveEvent;
      recent.unshift(event);
      if (recent.length > RECENT) recent.length = RECENT;
      listeners.forEach((l) => l(event));
    });
  }
  for (const type of ['coalesced', 'reset']) source.addEventListener(type, () => listeners.forEach((l) => l(null)));
}

export function disconnectLive(): void {
  source?.close();
  source = null;
}

/** `null` means "many things changed": reload. */
export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function onLiveStatus(listener: (connected: boolean) => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}
