/**
 * How many jobs a lane holds claimed ahead of its free slots, when that follows the lane's
 * pace. Little's law: to keep the slots busy while a claim is out, the reserve must hold what
 * the lane starts in one claim's time. Quick handlers on a store whose claim takes a few
 * milliseconds (PostgreSQL: a transaction and an fsync) need more than the floor; slow
 * handlers never do, so a long job is not hoarded by one worker while another has free slots.
 */

/** Weight of the newest sample in the moving averages. */
const SMOOTHING = 0.25;
/** Starts are counted over spans at least this long before they move the start rate. */
const RATE_SPAN_MS = 50;
/**
 * The reserve holds what the lane starts in this many claims' time. Two would do if the reserve
 * were topped up the moment a job left it; it is topped up once half spent, so only half of it
 * covers a claim. And while claims set the pace, a reserve of 2 claims' starts is exactly what
 * that pace gives back, so the size would never grow: 4 doubles it each time until claims no
 * longer set the pace (or the ceiling).
 */
const CLAIMS_COVERED = 4;

export class PrefetchSizer {
  /** Jobs started per ms, smoothed. */
  private startRate = 0;
  /** How long a claim takes, ms, smoothed. */
  private claimMs = 0;
  private spanStartedAt: number | null = null;
  private spanStarts = 0;

  /**
   * @param floor the prefetch with no history, and the least it ever is
   * @param ceiling the most it grows to
   */
  constructor(
    private readonly floor: number,
    private readonly ceiling: number,
  ) {}

  /** The prefetch now: the jobs started in `CLAIMS_COVERED` claims' time, within its bounds. */
  get size(): number {
    const wanted = Math.ceil(this.startRate * this.claimMs * CLAIMS_COVERED);
    return Math.min(this.ceiling, Math.max(this.floor, wanted));
  }

  /** A claim answered after `durationMs`. */
  claimed(durationMs: number): void {
    this.claimMs = this.claimMs === 0 ? durationMs : this.claimMs + SMOOTHING * (durationMs - this.claimMs);
  }

  /** `count` jobs started at `now`. */
  started(count: number, now: number): void {
    if (this.spanStartedAt !== null && now - this.spanStartedAt < RATE_SPAN_MS) {
      this.spanStarts += count;
      return;
    }
    // A span is [spanStartedAt, now): the starts at `now` open the next one.
    if (this.spanStartedAt !== null) {
      const rate = this.spanStarts / (now - this.spanStartedAt);
      this.startRate = this.startRate === 0 ? rate : this.startRate + SMOOTHING * (rate - this.startRate);
    }
    this.spanStartedAt = now;
    this.spanStarts = count;
  }
}
