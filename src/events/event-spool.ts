/**
 * The local spool that lets events outlive a broker outage and a Chime crash.
 *
 * Every event to publish is appended to a segment file in the spool folder (one line:
 * `<seq> <type> <CloudEvent JSON>`), once per event-loop turn for all events of that turn, and
 * the highest sequence number the broker acknowledged is kept in `acked`. A restarted node
 * reads the segments back and publishes what is past `acked` again; fully acknowledged
 * segments are deleted. Why a local file and not an outbox table in the store: the store is
 * one of three backends (SQLite, PostgreSQL, Redis) and firing must not wait on a second
 * write per job; the file costs one write() per turn.
 *
 * What this guarantees, plainly: an event is lost only if the process dies in the event-loop
 * turn between the store write that produced it and the spool write (writes are not fsynced,
 * so an OS crash or power loss may also lose the last moments; a process crash does not).
 * Events the broker acknowledged but `acked` did not yet record are published again after a
 * restart: duplicates, with the same CloudEvent id.
 *
 * One process owns a spool folder at a time (a `lock` file with its pid); a second process on
 * the same data dir takes the next free folder, and a restarted node adopts a dead one's.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHED_EVENT_TYPES, type OutgoingEvent, type PublishedEventType } from './cloudevent.js';

/** An event with its place in the spool. */
export interface SpooledEvent extends OutgoingEvent {
  seq: number;
}

const SEGMENT_LINES = 10_000;
const SEGMENT = /^(\d{16})\.spool$/;

export class EventSpool {
  readonly dir: string;
  private nextSeq = 1;
  private acked = 0;
  private fd: number | null = null;
  private segmentLines = 0;
  private buffered: string[] = [];
  private ackedWritten = 0;

  constructor(root: string) {
    mkdirSync(root, { recursive: true });
    this.dir = claimFolder(root);
  }

  /**
   * Reads back the state a previous process left: returns how many events it left
   * unacknowledged (read them with `read(firstUnacknowledged, n)`).
   */
  recover(): number {
    const ackedPath = join(this.dir, 'acked');
    this.acked = existsSync(ackedPath) ? Number(readFileSync(ackedPath, 'utf8').trim()) || 0 : 0;
    this.ackedWritten = this.acked;
    let last = this.acked;
    let pending = 0;
    this.scan(this.acked + 1, Infinity, (event) => {
      last = Math.max(last, event.seq);
      pending++;
      return true;
    });
    this.nextSeq = last + 1;
    this.removeAckedSegments(true);
    return pending;
  }

  /** The first sequence number not yet acknowledged. */
  get firstUnacknowledged(): number {
    return this.acked + 1;
  }

  /** The sequence number the next appended event gets. */
  get next(): number {
    return this.nextSeq;
  }

  /** Up to `limit` spooled events from sequence number `from` on, in order (flushed lines only). */
  read(from: number, limit: number): SpooledEvent[] {
    const out: SpooledEvent[] = [];
    this.scan(from, limit, (event) => {
      out.push(event);
      return out.length < limit;
    });
    return out;
  }

  /** Visits spooled events with seq >= from in order until `visit` returns false. */
  private scan(from: number, limit: number, visit: (event: SpooledEvent) => boolean): void {
    if (limit <= 0) return;
    const names = this.segments();
    for (let i = 0; i < names.length; i++) {
      const next = names[i + 1];
      // A segment that ends before `from` is skipped unread.
      if (next && Number(SEGMENT.exec(next)![1]) <= from) continue;
      for (const line of readFileSync(join(this.dir, names[i]!), 'utf8').split('\n')) {
        const event = parseLine(line);
        if (!event || event.seq < from) continue; // a torn line (a crash mid-write) was never acknowledged to anyone
        if (!visit(event)) return;
      }
    }
  }

  /** Numbers the events and queues their lines for the next flush. */
  append(events: readonly OutgoingEvent[]): SpooledEvent[] {
    return events.map((e) => {
      // Named, not `{ ...e, seq }`: a property after a spread takes V8's slow path (docs/architecture.md, "Per-job code").
      const spooled: SpooledEvent = { id: e.id, kind: e.kind, type: e.type, subject: e.subject, json: e.json, seq: this.nextSeq++ };
      this.buffered.push(`${spooled.seq} ${e.kind} ${e.json}\n`);
      return spooled;
    });
  }

  /** Writes the queued lines: one write() for all of them. */
  flush(): void {
    if (this.buffered.length === 0) return;
    const lines = this.buffered;
    this.buffered = [];
    if (this.fd === null || this.segmentLines >= SEGMENT_LINES) this.openSegment(Number(lines[0]!.slice(0, lines[0]!.indexOf(' '))));
    writeSync(this.fd!, lines.join(''));
    this.segmentLines += lines.length;
  }

  /** Records that every event up to `seq` is acknowledged by the broker. */
  acknowledge(seq: number): void {
    if (seq <= this.acked) return;
    this.acked = seq;
    const tmp = join(this.dir, 'acked.tmp');
    writeFileSync(tmp, String(seq));
    renameSync(tmp, join(this.dir, 'acked'));
    this.ackedWritten = seq;
    this.removeAckedSegments(false);
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(join(this.dir, 'lock'), { force: true });
  }

  private segments(): string[] {
    return readdirSync(this.dir).filter((n) => SEGMENT.test(n)).sort();
  }

  private openSegment(firstSeq: number): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(join(this.dir, `${String(firstSeq).padStart(16, '0')}.spool`), 'a');
    this.segmentLines = 0;
    this.removeAckedSegments(false);
  }

  /** A segment goes once the next one starts at or below acked+1 (all its events acknowledged). */
  private removeAckedSegments(includingLast: boolean): void {
    const names = this.segments();
    for (let i = 0; i < names.length; i++) {
      const next = names[i + 1];
      const end = next ? Number(SEGMENT.exec(next)![1]) - 1 : includingLast ? this.nextSeq - 1 : -1;
      if (end >= 0 && end <= this.ackedWritten) rmSync(join(this.dir, names[i]!), { force: true });
    }
  }
}

function parseLine(line: string): SpooledEvent | null {
  const first = line.indexOf(' ');
  const second = line.indexOf(' ', first + 1);
  if (first < 0 || second < 0) return null;
  const seq = Number(line.slice(0, first));
  const kind = line.slice(first + 1, second) as PublishedEventType;
  const json = line.slice(second + 1);
  if (!Number.isInteger(seq) || !(PUBLISHED_EVENT_TYPES as readonly string[]).includes(kind)) return null;
  try {
    const parsed = JSON.parse(json) as { id: string; type: string; subject: string };
    return { seq, kind, json, id: parsed.id, type: parsed.type, subject: parsed.subject };
  } catch {
    return null;
  }
}

/** Takes `root/0`, or the first folder whose lock is free or held by a dead process. */
function claimFolder(root: string): string {
  for (let n = 0; ; n++) {
    const dir = join(root, String(n));
    mkdirSync(dir, { recursive: true });
    const lock = join(dir, 'lock');
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return dir;
    } catch {
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (holder !== process.pid && !alive(holder)) {
        writeFileSync(lock, String(process.pid));
        return dir;
      }
    }
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
