import { nextOccurrence } from './recurrence.js';
import type { MissedFirePolicy, Recurrence } from './types.js';

export interface PlanInput {
  recurrence: Recurrence;
  startAt: number | null;
  createdAt: number;
  expiresAt: number | null;
  repeats: number | null;
  missedFire: MissedFirePolicy;
  /** Firings so far, not counting this one. */
  fireCount: number;
}

export interface Plan {
  /** false: this occurrence is skipped (missed, policy `skip`). */
  deliver: boolean;
  /** The occurrence to materialise next, or null when the schedule is done. */
  next: number | null;
}

/**
 * Decides, when an occurrence is claimed, whether it is delivered and which occurrence
 * comes next. An occurrence is *missed* when it is claimed more than `missedThresholdMs`
 * after it fell due (the server was down, as Quartz's misfire threshold).
 *
 * - `fire_once` (default): a missed occurrence fires once; the ones missed after it are
 *   folded into it, so the next is the first occurrence after now.
 * - `all`: every missed occurrence fires, one after another.
 * - `skip`: a missed occurrence is not delivered; the next is the first after now.
 */
export function planOccurrence(input: PlanInput, occurrence: number, now: number, missedThresholdMs: number): Plan {
  const missed = now - occurrence > missedThresholdMs;
  const deliver = !(missed && input.missedFire === 'skip');
  const fired = input.fireCount + (deliver ? 1 : 0);
  if (input.repeats !== null && input.repeats > 0 && fired >= input.repeats) return { deliver, next: null };
  const after = missed && input.missedFire !== 'all' ? Math.max(occurrence, now) : occurrence;
  const anchor = input.startAt ?? input.createdAt;
  let next = nextOccurrence(input.recurrence, after, anchor);
  if (next !== null && input.expiresAt !== null && next >= input.expiresAt) next = null;
  return { deliver, next };
}
