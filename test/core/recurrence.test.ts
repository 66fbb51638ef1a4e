import { describe, expect, it } from 'vitest';
import { SyntaxProblem } from '../../src/core/errors.js';
import { firstOccurrence, intervalToMs, nextOccurrence, parseDaprSchedule } from '../../src/core/recurrence.js';
import type { Recurrence } from '../../src/core/types.js';

const at = (text: string): number => Date.parse(text);

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SyntaxProblem);
    return (error as Error).message;
  }
  throw new Error('expected a SyntaxProblem');
}

describe('parseDaprSchedule', () => {
  it('reads @every as an interval', () => {
    expect(parseDaprSchedule('@every 1h30m')).toEqual({ kind: 'every', everyMs: 5_400_000 });
    expect(parseDaprSchedule('@every 10s')).toEqual({ kind: 'every', everyMs: 10_000 });
    expect(parseDaprSchedule('@every 1.5s')).toEqual({ kind: 'every', everyMs: 1_500 });
    expect(parseDaprSchedule('@every 250ms')).toEqual({ kind: 'every', everyMs: 250 });
    expect(parseDaprSchedule('CRON_TZ=Europe/London @every 1m')).toEqual({ kind: 'every', everyMs: 60_000 });
  });

  it.each([
    ['@every', /^@every needs a duration, e.g\. "@every 1h30m"$/],
    ['@every 0s', /^@every needs a duration greater than zero, got "0s"$/],
    ['@every -5s', /^@every needs a duration greater than zero, got "-5s"$/],
    ['@every 1d', /^unknown unit "d" in "1d"; use ns, us, ms, s, m or h$/],
    ['@every 1h 30m', /^durations contain no spaces: "1h 30m"$/],
    ['@every 1500us', /^@every 1500us is not a whole number of milliseconds$/],
    ['CRON_TZ=Mars/Base @every 1m', /^unknown time zone "Mars\/Base"/],
  ])('rejects %j', (text, message) => {
    expect(problemOf(() => parseDaprSchedule(text))).toMatch(message);
  });

  it('reads cron expressions and descriptors, keeping the text as given', () => {
    expect(parseDaprSchedule('0 30 9 * * MON-FRI')).toEqual({ kind: 'cron', expression: '0 30 9 * * MON-FRI', timezone: null });
    expect(parseDaprSchedule('*/5 * * * *')).toEqual({ kind: 'cron', expression: '*/5 * * * *', timezone: null });
    expect(parseDaprSchedule('@daily')).toEqual({ kind: 'cron', expression: '@daily', timezone: null });
    expect(parseDaprSchedule(' @hourly ')).toEqual({ kind: 'cron', expression: ' @hourly ', timezone: null });
  });

  it('resolves the zone from the prefix, then the option; null means the UTC default', () => {
    expect(parseDaprSchedule('@daily', { timezone: 'europe/paris' })).toEqual({
      kind: 'cron', expression: '@daily', timezone: 'Europe/Paris',
    });
    expect(parseDaprSchedule('CRON_TZ=America/New_York 0 9 * * *', { timezone: 'Europe/Paris' })).toEqual({
      kind: 'cron', expression: 'CRON_TZ=America/New_York 0 9 * * *', timezone: 'America/New_York',
    });
    expect(parseDaprSchedule('TZ=UTC 0 9 * * *')).toEqual({ kind: 'cron', expression: 'TZ=UTC 0 9 * * *', timezone: 'UTC' });
  });

  it('passes cron problems through', () => {
    expect(problemOf(() => parseDaprSchedule('0 24 * * *'))).toBe('hour 24 out of range 0-23');
    expect(problemOf(() => parseDaprSchedule('* * * *'))).toMatch(/^found 4 fields/);
    expect(problemOf(() => parseDaprSchedule('@weekly', { timezone: 'Nowhere' }))).toMatch(/^unknown time zone "Nowhere"/);
    expect(problemOf(() => parseDaprSchedule(''))).toMatch(/^empty schedule/);
  });
});

describe('intervalToMs', () => {
  it('adds up the components', () => {
    expect(intervalToMs({ hours: 1, minutes: 30 })).toBe(5_400_000);
    expect(intervalToMs({ days: 1, hours: 2, minutes: 3, seconds: 4 })).toBe(93_784_000);
    expect(intervalToMs({ seconds: 1 })).toBe(1_000);
    expect(intervalToMs({ days: 0, seconds: 90 })).toBe(90_000);
  });

  it.each([
    [{ minutes: -5 }, /^minutes must be a whole number of 0 or more, got -5$/],
    [{ hours: 1.5 }, /^hours must be a whole number of 0 or more, got 1\.5$/],
    [{ days: Number.NaN }, /^days must be a whole number of 0 or more, got NaN$/],
    [{ seconds: '10' as unknown as number }, /^seconds must be a whole number of 0 or more, got "10"$/],
    [{}, /^the interval must be longer than zero; set days, hours, minutes or seconds$/],
    [{ days: 0, hours: 0 }, /^the interval must be longer than zero/],
    [{ days: 200_000 }, /too long; the limit is about 292 years$/],
  ])('rejects %j', (interval, message) => {
    expect(problemOf(() => intervalToMs(interval))).toMatch(message);
  });
});

describe('nextOccurrence', () => {
  const every: Recurrence = { kind: 'every', everyMs: 60_000 };
  const anchor = at('2025-01-15T12:00:00Z');

  it('steps an interval from its anchor, never drifting', () => {
    expect(nextOccurrence(every, anchor - 5_000, anchor)).toBe(anchor);
    expect(nextOccurrence(every, anchor, anchor)).toBe(anchor + 60_000);
    expect(nextOccurrence(every, anchor + 1, anchor)).toBe(anchor + 60_000);
    expect(nextOccurrence(every, anchor + 59_999, anchor)).toBe(anchor + 60_000);
    expect(nextOccurrence(every, anchor + 60_000, anchor)).toBe(anchor + 120_000);
    expect(nextOccurrence(every, anchor + 150_000, anchor)).toBe(anchor + 180_000);
    // A year late, still on the anchor's grid.
    expect(nextOccurrence(every, anchor + 365 * 86_400_000 + 7, anchor)).toBe(anchor + 365 * 86_400_000 + 60_000);
  });

  it('follows @every 1h30m from its anchor', () => {
    const r = parseDaprSchedule('@every 1h30m');
    const seen: string[] = [];
    for (let t = anchor, i = 0; i < 4; i++) {
      t = nextOccurrence(r, t, anchor) as number;
      seen.push(new Date(t).toISOString());
    }
    expect(seen).toEqual([
      '2025-01-15T13:30:00.000Z', '2025-01-15T15:00:00.000Z', '2025-01-15T16:30:00.000Z', '2025-01-15T18:00:00.000Z',
    ]);
  });

  it('asks the cron schedule in its zone', () => {
    const daily = parseDaprSchedule('0 0 9 * * *', { timezone: 'America/New_York' });
    expect(nextOccurrence(daily, at('2025-01-15T12:00:00Z'), 0)).toBe(at('2025-01-15T14:00:00Z'));
    expect(nextOccurrence(daily, at('2025-07-15T14:00:00Z'), 0)).toBe(at('2025-07-16T13:00:00Z'));
    const utc = parseDaprSchedule('@hourly');
    expect(nextOccurrence(utc, at('2025-01-15T14:30:00Z'), 0)).toBe(at('2025-01-15T15:00:00Z'));
    expect(nextOccurrence({ kind: 'cron', expression: '0 0 30 2 *', timezone: null }, 0, 0)).toBeNull();
  });

  it('gives nothing after a one-shot', () => {
    expect(nextOccurrence({ kind: 'once' }, anchor, anchor)).toBeNull();
  });
});

describe('firstOccurrence', () => {
  const created = at('2025-01-15T14:30:20Z');
  const due = at('2025-02-01T00:00:00Z');

  it('uses the due time for every kind when given', () => {
    expect(firstOccurrence({ kind: 'once' }, due, created)).toBe(due);
    expect(firstOccurrence({ kind: 'every', everyMs: 10_000 }, due, created)).toBe(due);
    expect(firstOccurrence({ kind: 'cron', expression: '@daily', timezone: null }, due, created)).toBe(due);
  });

  it('otherwise starts cron after creation and every one interval after creation', () => {
    expect(firstOccurrence({ kind: 'cron', expression: '@hourly', timezone: null }, null, created)).toBe(at('2025-01-15T15:00:00Z'));
    expect(firstOccurrence({ kind: 'cron', expression: '*/10 * * * * *', timezone: null }, null, created)).toBe(at('2025-01-15T14:30:30Z'));
    expect(firstOccurrence({ kind: 'every', everyMs: 10_000 }, null, created)).toBe(created + 10_000);
    expect(firstOccurrence({ kind: 'once' }, null, created)).toBeNull();
  });
});
