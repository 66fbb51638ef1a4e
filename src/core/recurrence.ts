/**
 * Turns the schedule texts of the two APIs into a {@link Recurrence} and answers "when is the
 * next occurrence" for each kind.
 */

import { SyntaxProblem } from './errors.js';
import type { Recurrence } from './types.js';
import { parseCron } from './cron.js';
import { parseGoDuration } from './duration.js';
import { assertTimeZone } from './timezone.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from './time-spec.js';

const PREFIX = /^(?:CRON_TZ|TZ)=(\S*)\s+/;
const EVERY = /^@every(?:\s+|$)/;
/** The Go duration limit (2^63 ns, about 292 years), so every interval is also a Go duration. */
const MAX_INTERVAL_MS = 9_223_372_036_854;

/**
 * Parses a Dapr Jobs API `schedule`: `@every <Go duration>` (greater than zero) becomes an
 * `every` recurrence; descriptors (`@daily`...) and 5- or 6-field cron expressions, with an
 * optional `CRON_TZ=`/`TZ=` prefix, become `cron`. The cron expression is stored exactly as
 * given; `timezone` is the resolved zone when the prefix or `options.timezone` names one,
 * null for the default (UTC).
 *
 * `@every` needs a whole number of milliseconds (`@every 1500us` is rejected, since Chime's
 * instants are whole milliseconds) and, unlike robfig/cron, is not rounded up to a second.
 * A zone prefix before `@every` is validated and then ignored: an interval has no wall clock.
 *
 * @throws SyntaxProblem from the duration or cron parser.
 * @example
 * parseDaprSchedule('@every 1h30m');           // { kind: 'every', everyMs: 5400000 }
 * parseDaprSchedule('0 30 9 * * MON-FRI');     // { kind: 'cron', expression: '0 30 9 * * MON-FRI', timezone: null }
 * parseDaprSchedule('@daily', { timezone: 'Europe/Paris' });
 * // { kind: 'cron', expression: '@daily', timezone: 'Europe/Paris' }
 */
export function parseDaprSchedule(text: string, options: { timezone?: string } = {}): Recurrence {
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new SyntaxProblem('empty schedule; expected a cron expression, a descriptor such as "@daily", or "@every 1h"');
  }
  const prefix = PREFIX.exec(trimmed);
  const body = prefix === null ? trimmed : trimmed.slice(prefix[0].length);
  if (EVERY.test(body)) {
    if (prefix !== null) assertTimeZone(prefix[1] ?? '');
    const durationText = body.slice('@every'.length).trim();
    if (durationText === '') throw new SyntaxProblem('@every needs a duration, e.g. "@every 1h30m"');
    const everyMs = parseGoDuration(durationText);
    if (everyMs <= 0) throw new SyntaxProblem(`@every needs a duration greater than zero, got "${durationText}"`);
    if (!Number.isInteger(everyMs)) {
      throw new SyntaxProblem(`@every ${durationText} is not a whole number of milliseconds`);
    }
    return { kind: 'every', everyMs };
  }
  const schedule = parseCron(text, options);
  const explicitZone = prefix !== null || options.timezone !== undefined;
  return { kind: 'cron', expression: text, timezone: explicitZone ? schedule.timezone : null };
}

const INTERVAL_UNITS = [
  ['days', DAY_MS],
  ['hours', HOUR_MS],
  ['minutes', MINUTE_MS],
  ['seconds', SECOND_MS],
] as const;

/**
 * The length in ms of a job-platform interval schedule. Each component, when present, must be
 * a whole number of 0 or more, and the total must be greater than zero.
 *
 * @throws SyntaxProblem naming the offending component.
 * @example
 * intervalToMs({ hours: 1, minutes: 30 }); // 5400000
 * intervalToMs({ minutes: -5 });           // throws: minutes must be a whole number of 0 or more, got -5
 */
export function intervalToMs(interval: { days?: number; hours?: number; minutes?: number; seconds?: number }): number {
  let total = 0;
  for (const [name, unitMs] of INTERVAL_UNITS) {
    const value: unknown = interval[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      const shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
      throw new SyntaxProblem(`${name} must be a whole number of 0 or more, got ${shown}`);
    }
    total += value * unitMs;
  }
  if (total === 0) throw new SyntaxProblem('the interval must be longer than zero; set days, hours, minutes or seconds');
  if (total > MAX_INTERVAL_MS) throw new SyntaxProblem(`an interval of ${total} ms is too long; the limit is about 292 years`);
  return total;
}

/**
 * The first occurrence of `r` strictly after `after`. For `every`, occurrences are
 * `anchor + k * everyMs` for whole k >= 0, where `anchor` is the schedule's start instant
 * (`startAt ?? createdAt`), so they never drift however late the previous one ran. `once`
 * has no next occurrence.
 *
 * @example
 * nextOccurrence({ kind: 'every', everyMs: 60_000 }, 1_000_150_000, 1_000_000_000); // 1_000_180_000
 * nextOccurrence({ kind: 'cron', expression: '@hourly', timezone: null }, Date.parse('2025-01-15T14:30:00Z'), 0);
 * // Date.parse('2025-01-15T15:00:00Z')
 */
export function nextOccurrence(r: Recurrence, after: number, anchor: number): number | null {
  switch (r.kind) {
    case 'once':
      return null;
    case 'cron':
      return parseCron(r.expression, r.timezone === null ? {} : { timezone: r.timezone }).next(after);
    case 'every': {
      if (after < anchor) return anchor;
      let next = anchor + (Math.floor((after - anchor) / r.everyMs) + 1) * r.everyMs;
      // Guards against a quotient rounded up by floating point on fractional inputs.
      while (next <= after) next += r.everyMs;
      return next;
    }
  }
}

/**
 * The first occurrence of a new schedule, with Dapr's semantics: a `startAt` (Dapr `dueTime`)
 * is the first occurrence for every kind; without one, cron fires at its next occurrence after
 * `createdAt`, every at `createdAt + everyMs`, and once never (Dapr requires a dueTime for a
 * one-shot job; the caller reports that).
 *
 * @example
 * firstOccurrence({ kind: 'every', everyMs: 10_000 }, null, 1_000);   // 11_000
 * firstOccurrence({ kind: 'every', everyMs: 10_000 }, 5_000, 1_000);  // 5_000
 */
export function firstOccurrence(r: Recurrence, startAt: number | null, createdAt: number): number | null {
  if (startAt !== null) return startAt;
  switch (r.kind) {
    case 'once':
      return null;
    case 'cron':
      return nextOccurrence(r, createdAt, createdAt);
    case 'every':
      return createdAt + r.everyMs;
  }
}
