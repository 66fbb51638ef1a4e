/**
 * "Something new is due" across nodes: NOTIFY on a per-schema channel in the transaction
 * that makes work due (so it is delivered exactly when the work is committed), and LISTEN
 * on a dedicated connection outside the pool that reconnects with capped backoff.
 */
import pg from 'pg';
import type { JobTarget } from '../../core/types.js';
import { earliestPerLane } from '../due-signals.js';
import type { DueSignal } from '../store.js';
import type { Queryable } from './context.js';

/** What travels in a notification. `origin` lets a node skip its own echoes. */
interface WirePayload {
  target?: JobTarget;
  queue?: string;
  runAt?: number;
  more?: boolean;
  origin: string;
}

export function encodeSignal(signal: DueSignal | null, origin: string): string {
  const payload: WirePayload = signal
    ? { target: signal.target, queue: signal.queue, runAt: signal.runAt, ...(signal.more ? { more: true } : {}), origin }
    : { origin };
  return JSON.stringify(payload);
}

/**
 * Queues NOTIFYs in the open transaction; PostgreSQL delivers them when it commits.
 * A payload without a target means "re-read everything" (a queue resumed or its limit changed).
 */
export async function notifyDue(
  tx: Queryable,
  channel: string,
  origin: string,
  signals: readonly (DueSignal | null)[],
): Promise<void> {
  if (signals.length === 0) return;
  const known = earliestPerLane(signals.filter((s): s is DueSignal => s !== null));
  const payloads = known.map((signal) => encodeSignal(signal, origin));
  if (signals.includes(null)) payloads.push(encodeSignal(null, origin));
  await tx.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [channel, payloads]);
}

export interface DueListenerOptions {
  clientConfig: pg.ClientConfig;
  channel: string;
  origin: string;
  /** A signal from another node, or null after (re)connecting: notifications may have been missed. */
  onSignal: (signal: DueSignal | null) => void;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * The LISTEN connection. It lives outside the pool (a pooled connection is shared, and a
 * LISTEN must stay on one session). When it drops (server restart, network), it reconnects
 * with exponential backoff capped at 5 s and then signals null, since notifications sent
 * while it was away are lost.
 */
export class DueListener {
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;

  constructor(private readonly options: DueListenerOptions) {}

  get connected(): boolean {
    return this.client !== null;
  }

  /** Connects and listens; rejects when the first connection fails (the store then fails to open). */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.options.clientConfig);
    let established = false;
    let lost = false;
    const onLost = (): void => {
      // Before the LISTEN is in place, a failure rejects connect() and its caller decides.
      if (!established || lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    // Registered before connecting: an 'error' event without a listener would crash the process.
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload) this.receive(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (error) {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    established = true;
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    this.options.onSignal(null);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.retryMs * (0.75 + Math.random() * 0.5);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().catch(() => this.scheduleReconnect());
    }, delay);
    this.retryTimer.unref();
  }

  private receive(text: string): void {
    let payload: WirePayload;
    try {
      payload = JSON.parse(text) as WirePayload;
    } catch {
      this.options.onSignal(null); // not ours to understand: re-read rather than miss work
      return;
    }
    if (payload.origin === this.options.origin) return; // already emitted locally
    if (payload.target && typeof payload.queue === 'string' && typeof payload.runAt === 'number') {
      this.options.onSignal({ target: payload.target, queue: payload.queue, runAt: payload.runAt, ...(payload.more ? { more: true } : {}) });
    } else {
      this.options.onSignal(null);
    }
  }
}
