/**
 * The last N lifecycle events of this node, numbered, so a live-feed client that lost its
 * connection resumes where it stopped (SSE `Last-Event-ID`). A bounded ring buffer: memory
 * stays flat however busy the node is, and a client that was away for longer than the buffer
 * holds is told so (`reset`) and reloads its views instead of silently missing events.
 *
 * The ring holds each event as JSON text in one preallocated byte buffer, not as objects. At
 * 2,000 firings a second the ring holds 2.5 s of events: as objects, each lived long enough to
 * be copied by two scavenges and promoted, and the ring was most of the server's garbage
 * collection time (docs/benchmarks.md, "Garbage collection"). Bytes outside the JS heap are
 * never copied or traced, and the buffer also bounds memory by size, not only by count (a
 * thousand jobs with 1 MB payloads do not pin a gigabyte). A resume parses the events back.
 *
 * Ids are `<boot>-<seq>`: `boot` names this process's start, so an id from before a restart
 * (or from another node behind a load balancer) is recognised as foreign, never matched
 * against the wrong sequence.
 *
 * The ring runs only while someone may resume: from the first live-feed connection until no
 * client has been connected for `idleMs` (a minute). Serialising every event cost 11% of the
 * server's CPU through a bulk import and 5% through single creates (docs/benchmarks.md, "The
 * live feed's ring while nobody watches"); a resume needs a connection of this boot first, so
 * a ring kept from start-up served no one. A client back after the ring paused is told `reset`,
 * as one away longer than the ring holds is.
 */
import type { LifecycleEvent, LifecycleEvents } from '../core/lifecycle-events.js';

export interface NumberedEvent {
  seq: number;
  event: LifecycleEvent;
}

/** 10,000 events: about 2.5 s of a node firing 2,000 jobs/s (each firing is 2 events). */
export const RECENT_EVENTS_CAPACITY = 10_000;
/** 16 MiB of JSON: 10,000 events of ~1.6 KB each (a firing event with a small payload is ~0.6 KB). */
export const RECENT_EVENTS_BYTES = 16 * 1024 * 1024;

export type Resume = { kind: 'replay'; events: NumberedEvent[] } | { kind: 'reset'; reason: string };

/** How long the ring keeps running after its last client left: a reconnect comes within seconds. */
export const RECENT_EVENTS_IDLE_MS = 60_000;

/** The start of a slot whose event was not kept (larger than an eighth of the buffer, or the ring paused). */
const NOT_KEPT = -1;

export class RecentEvents {
  readonly boot: string;
  /** Allocated on start(): a node nobody watches keeps no buffer. */
  private text = Buffer.alloc(0);
  /** Per seq slot: absolute byte position where the event's text starts (offset = position % bytes), or NOT_KEPT. */
  private readonly starts: Float64Array;
  private readonly lengths: Uint32Array;
  /** Absolute position where the next event's text goes; every byte before `head - bytes` is overwritten. */
  private head = 0;
  private next = 1;
  private readonly listeners = new Set<(numbered: NumberedEvent) => void>();
  private unsubscribe: (() => void) | null = null;
  /** Set while no client is connected: pauses the ring when it fires. */
  private idleTimer: NodeJS.Timeout | null = null;
  /** The ring paused since events were last kept: the next start marks the gap. */
  private paused = false;

  constructor(
    private readonly source: LifecycleEvents,
    readonly capacity = RECENT_EVENTS_CAPACITY,
    now = Date.now(),
    readonly bytes = RECENT_EVENTS_BYTES,
    readonly idleMs = RECENT_EVENTS_IDLE_MS,
  ) {
    this.boot = now.toString(36);
    this.starts = new Float64Array(capacity).fill(NOT_KEPT);
    this.lengths = new Uint32Array(capacity);
  }

  /**
   * Starts buffering (idempotent), when a live-feed client connects: a node nobody watches
   * builds no events for it. After a pause, the first slot is a gap, so no id from before it
   * replays across the events missed while paused.
   */
  start(): void {
    if (this.unsubscribe) return;
    if (this.text.length === 0) this.text = Buffer.allocUnsafe(this.bytes);
    if (this.paused) {
      this.paused = false;
      this.starts[this.next % this.capacity] = NOT_KEPT;
      this.next++;
      this.head += this.bytes; // every event before the gap counts as overwritten
    }
    this.unsubscribe = this.source.subscribe((event) => this.append(event));
    if (this.listeners.size === 0) this.pauseWhenIdle();
  }

  /** Whether events are being kept (tests read it). */
  get running(): boolean {
    return this.unsubscribe !== null;
  }

  idOf(seq: number): string {
    return `${this.boot}-${seq}`;
  }

  /** The id of the newest event, or of "before the first" when none came yet. */
  get lastId(): string {
    return this.idOf(this.next - 1);
  }

  /**
   * Called with every new event, in order; returns the function that stops it. Starts the
   * ring; when the last listener stops, the ring pauses `idleMs` later unless one comes back.
   */
  listen(listener: (numbered: NumberedEvent) => void): () => void {
    this.start();
    this.listeners.add(listener);
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.pauseWhenIdle();
    };
  }

  private pauseWhenIdle(): void {
    if (this.idleTimer || !this.unsubscribe) return;
    this.idleTimer = setTimeout(() => this.pause(), this.idleMs);
    this.idleTimer.unref();
  }

  /** The events after `lastEventId`, or `reset` when they are no longer (or never were) held. */
  after(lastEventId: string): Resume {
    const match = /^([0-9a-z]+)-(\d+)$/.exec(lastEventId.trim());
    if (!match || match[1] !== this.boot) return { kind: 'reset', reason: 'the server restarted or the id is from another node' };
    const seq = Number(match[2]);
    if (seq >= this.next) return { kind: 'reset', reason: 'the id is ahead of this server' };
    // Events are written in order, so if the first one wanted is still whole, all later ones are.
    if (seq + 1 < this.next && !this.held(seq + 1)) return { kind: 'reset', reason: 'more events happened since than this server keeps' };
    const events: NumberedEvent[] = [];
    for (let s = seq + 1; s < this.next; s++) {
      const slot = s % this.capacity;
      const from = this.starts[slot]! % this.bytes;
      events.push({ seq: s, event: JSON.parse(this.text.toString('utf8', from, from + this.lengths[slot]!)) as LifecycleEvent });
    }
    return { kind: 'replay', events };
  }

  close(): void {
    this.pause();
    this.listeners.clear();
  }

  /** Stops keeping events and gives the buffer back; the next start begins after a gap. */
  private pause(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.unsubscribe) return;
    this.unsubscribe();
    this.unsubscribe = null;
    this.paused = true;
    this.text = Buffer.alloc(0);
  }

  private held(seq: number): boolean {
    if (seq < this.next - this.capacity) return false;
    const start = this.starts[seq % this.capacity]!;
    return start !== NOT_KEPT && start >= this.head - this.bytes;
  }

  private append(event: LifecycleEvent): void {
    const numbered = { seq: this.next++, event };
    this.keep(numbered.seq, JSON.stringify(event));
    for (const listener of this.listeners) listener(numbered);
  }

  private keep(seq: number, json: string): void {
    const slot = seq % this.capacity;
    const length = Buffer.byteLength(json);
    // An event larger than an eighth of the buffer is not kept: a resume across it resets.
    if (length > this.bytes / 8) {
      this.starts[slot] = NOT_KEPT;
      this.head += this.bytes; // everything before it counts as overwritten, so no resume skips it
      return;
    }
    // Text never wraps around the end: skip to the buffer's start when it does not fit.
    const offset = this.head % this.bytes;
    if (offset + length > this.bytes) this.head += this.bytes - offset;
    this.text.write(json, this.head % this.bytes, 'utf8');
    this.starts[slot] = this.head;
    this.lengths[slot] = length;
    this.head += length;
  }
}
