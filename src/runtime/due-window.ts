/**
 * The window of due times of one lane: the due times of the next `windowMs` (not every job)
 * in a min-heap, fed by the store's reads and its "something new is due" signals, and a
 * timer that wakes at the earliest of them (less the claim lead) or at the window's end.
 * Claims are queries, so the heap is only a wake-up list: a stale entry (a job someone else
 * claimed) costs one empty claim, never a wrong firing.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { CALLBACK_QUEUE } from '../core/types.js';
import type { DueSignal, Lane, Store } from '../store/store.js';
import { MinHeap } from './min-heap.js';

/** What the window of one lane reads, and how far and how often. */
export interface DueWindowOptions {
  lane: Lane;
  /**
   * Claim this long before jobs fall due, hold them, and start each exactly at its time: the
   * claim (a store transaction, most of the firing latency) happens before the deadline
   * instead of after it. 0 claims only what is due.
   */
  leadMs: number;
  /**
   * The claim a wake-up starts also takes jobs due this long after the lead, so their due
   * times leave the heap with it: jobs falling due at a steady rate then cost a claim per
   * span, not one per due time (or two) as each enters the lead. @default 0
   */
  claimSpanMs?: number;
  /** How far ahead the heap looks. */
  windowMs: number;
  /** Most due times one refill reads. */
  peekLimit: number;
  /** A full refill at least this often, in case a signal was lost. */
  pollIntervalMs: number;
}

/** Where the window reports what it finds. */
export interface DueWindowEvents {
  /** Due times within `leadMs` of `now` were reached: time to claim. */
  onDue(now: number): void;
  /**
   * The store saw a write it cannot describe (another process wrote): something may be due
   * now, so claim at once rather than wait for the re-read of the window.
   */
  onUnknownWrite(): void;
  onError(error: unknown, context: string): void;
}

/** The due times of one lane's next window, and the timer that wakes at the earliest. */
export class DueWindow {
  private running = false;
  private readonly heap = new MinHeap();
  /** Every due time at or before this is in the heap (or already claimed). */
  private horizon = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private pollTimer: TimerHandle | null = null;
  private refilling: Promise<void> | null = null;
  private refillAgain = false;
  /** Due times signalled while a window read was in flight. */
  private signalledDuringRefill: number[] = [];
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: DueWindowOptions,
    private readonly events: DueWindowEvents,
  ) {}

  /** Reading due times right now (a store call in flight). */
  get reading(): boolean {
    return this.refilling !== null;
  }

  /** Whether a due time at or before `now` waits in the heap (nobody claimed it yet). */
  hasDue(now: number): boolean {
    return (this.heap.peek() ?? Number.POSITIVE_INFINITY) <= now;
  }

  /** Listens for signals and reads the first window; resolves once it is read. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.store.onDue((signal) => this.onSignal(signal));
    await this.refill();
    this.schedulePoll();
  }

  /** Stops listening and cancels its timers; a read in flight finishes but re-arms nothing. */
  stop(): void {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.timer?.cancel();
    this.pollTimer?.cancel();
  }

  private onSignal(signal: DueSignal | null): void {
    if (!this.running) return;
    if (signal === null) {
      void this.refill();
      this.events.onUnknownWrite();
      return;
    }
    if (!this.inLane(signal)) return;
    // A signal carries a write's earliest time; `more` says the write (a batch) made later
    // ones due too, which only a re-read of the window finds.
    if (signal.more && signal.runAt <= this.horizon) void this.refill();
    if (signal.runAt <= this.horizon) {
      this.heap.push(signal.runAt);
      // A window read in flight may have started before this write and would reset the heap
      // without it: kept aside and pushed again after the reset (no second read).
      if (this.refilling) this.signalledDuringRefill.push(signal.runAt);
      this.arm();
    }
  }

  private inLane(signal: DueSignal): boolean {
    const lane = this.options.lane;
    if (signal.target !== lane.target) return false;
    return lane.target === 'callback' ? signal.queue === CALLBACK_QUEUE : lane.queues.includes(signal.queue);
  }

  private refill(): Promise<void> {
    if (this.refilling) {
      this.refillAgain = true;
      return this.refilling;
    }
    this.refilling = (async () => {
      do {
        this.refillAgain = false;
        const now = this.clock.now();
        const until = now + this.options.windowMs;
        try {
          const { lane, peekLimit, leadMs } = this.options;
          let times = await this.store.peekDueTimes(lane, until, peekLimit);
          let full = times.length >= peekLimit;
          if (full && times[times.length - 1]! <= now + leadMs) {
            // A burst: every time read is due already, and the claim loop works through those
            // jobs whatever the heap holds, so one entry stands for them all. The times after
            // them are read too; cutting the window at the last time read would end it in the
            // past and re-read it on every timer until the burst is claimed.
            const later = await this.store.peekDueTimes(lane, until, peekLimit, now + leadMs);
            times = [times[0]!, ...later];
            full = later.length >= peekLimit;
          }
          this.heap.reset(times);
          // A full read may have cut the window short: it ends at the last time read.
          this.horizon = full ? times[times.length - 1]! : until;
          for (const runAt of this.signalledDuringRefill.splice(0)) if (runAt <= this.horizon) this.heap.push(runAt);
        } catch (error) {
          this.events.onError(error, 'reading due times');
          // Without a window, wake up soon and try again rather than sleep forever.
          this.horizon = now + 1000;
        }
      } while (this.refillAgain && this.running);
      this.refilling = null;
      this.arm();
    })();
    return this.refilling;
  }

  private schedulePoll(): void {
    if (!this.running) return;
    this.pollTimer = this.clock.setTimer(this.clock.now() + this.options.pollIntervalMs, () => {
      void this.refill().then(() => this.schedulePoll());
    });
  }

  /** Sleeps until the earliest due time less the lead, or the horizon (then reads the next window). */
  private arm(): void {
    if (!this.running) return;
    const top = this.heap.peek();
    const target = Math.min((top ?? Number.POSITIVE_INFINITY) - this.options.leadMs, this.horizon);
    if (target === this.timerAt && this.timer) return;
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = target;
    if (target === Number.POSITIVE_INFINITY) return;
    this.timer = this.clock.setTimer(target, () => this.onTimer());
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let due = false;
    const claimedBy = now + this.options.leadMs + (this.options.claimSpanMs ?? 0);
    while (this.heap.size > 0 && this.heap.peek()! <= claimedBy) {
      this.heap.pop();
      due = true;
    }
    if (due) this.events.onDue(now);
    if (this.horizon <= now) void this.refill();
    else this.arm();
  }
}
