import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SyntaxProblem } from '../../src/core/errors.js';
import {
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  formatRfc3339,
  isLeapYear,
  parseRfc3339,
  resolveTimeSpec,
} from '../../src/core/time-spec.js';

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SyntaxProblem);
    return (error as Error).message;
  }
  throw new Error('expected a SyntaxProblem');
}

describe('calendar helpers', () => {
  it('agree with Date for every first and last day of month 1600-2500', () => {
    for (let year = 1600; year <= 2500; year += 7) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [1, daysInMonth(year, month)]) {
          const days = daysFromCivil(year, month, day);
          expect(days * 86_400_000).toBe(Date.UTC(year, month - 1, day));
          expect(civilFromDays(days)).toEqual({ year, month, day });
        }
      }
    }
  });

  it('handles years 0-99, which Date.UTC maps to 1900-1999', () => {
    expect(daysFromCivil(0, 3, 1) * 86_400_000).toBe(Date.parse('0000-03-01T00:00:00Z'));
    expect(civilFromDays(daysFromCivil(50, 2, 28))).toEqual({ year: 50, month: 2, day: 28 });
  });

  it('knows the Gregorian leap years', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2025, 4)).toBe(30);
    expect(daysInMonth(2025, 12)).toBe(31);
  });
});

describe('parseRfc3339', () => {
  const utc = Date.UTC(2025, 0, 15, 14, 30);

  it('reads Z, offsets and the lenient spellings', () => {
    expect(parseRfc3339('2025-01-15T14:30:00Z')).toBe(utc);
    expect(parseRfc3339('2025-01-15t14:30:00z')).toBe(utc);
    expect(parseRfc3339('2025-01-15 14:30:00Z')).toBe(utc);
    expect(parseRfc3339('2025-01-15T20:00:00+05:30')).toBe(utc);
    expect(parseRfc3339('2025-01-15T06:30:00-08:00')).toBe(utc);
    expect(parseRfc3339('2025-01-16T00:00:00+09:30')).toBe(utc);
    expect(parseRfc3339('2025-01-15T14:30:00-00:00')).toBe(utc);
  });

  it('reads a timestamp without an offset as UTC', () => {
    expect(parseRfc3339('2025-01-15T14:30:00')).toBe(utc);
    expect(parseRfc3339('2025-01-15 14:30:00.250')).toBe(utc + 250);
  });

  it('truncates a fraction of any length to milliseconds', () => {
    expect(parseRfc3339('2025-01-15T14:30:00.5Z')).toBe(utc + 500);
    expect(parseRfc3339('2025-01-15T14:30:00.12Z')).toBe(utc + 120);
    expect(parseRfc3339('2025-01-15T14:30:00.123Z')).toBe(utc + 123);
    expect(parseRfc3339('2025-01-15T14:30:00.123999999Z')).toBe(utc + 123);
    expect(parseRfc3339('2025-01-15T14:30:00.999999999999+00:00')).toBe(utc + 999);
    expect(parseRfc3339('2025-01-15T14:30:00.000000001Z')).toBe(utc);
  });

  it('accepts leap days only in leap years', () => {
    expect(parseRfc3339('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseRfc3339('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
    expect(problemOf(() => parseRfc3339('2023-02-29T00:00:00Z'))).toBe(
      '"2023-02-29T00:00:00Z": day 29 out of range 1-28 for February 2023',
    );
    expect(problemOf(() => parseRfc3339('2100-02-29T00:00:00Z'))).toMatch(/day 29 out of range 1-28 for February 2100/);
  });

  it('reads second 60 as 59.999', () => {
    expect(parseRfc3339('2016-12-31T23:59:60Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    expect(parseRfc3339('2016-12-31T23:59:60.5Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
  });

  it('handles the first and last years', () => {
    expect(parseRfc3339('0001-01-01T00:00:00Z')).toBe(Date.parse('0001-01-01T00:00:00Z'));
    expect(parseRfc3339('9999-12-31T23:59:59.999Z')).toBe(Date.parse('9999-12-31T23:59:59.999Z'));
  });

  it.each([
    ['2025-13-01T00:00:00Z', /month 13 out of range 1-12$/],
    ['2025-00-01T00:00:00Z', /month 0 out of range 1-12$/],
    ['2025-04-31T00:00:00Z', /day 31 out of range 1-30 for April 2025$/],
    ['2025-01-00T00:00:00Z', /day 0 out of range 1-31 for January 2025$/],
    ['2025-01-15T24:00:00Z', /hour 24 out of range 0-23$/],
    ['2025-01-15T14:60:00Z', /minute 60 out of range 0-59$/],
    ['2025-01-15T14:30:61Z', /second 61 out of range 0-60$/],
    ['2025-01-15T14:30:00+24:00', /offset hour 24 out of range 0-23$/],
    ['2025-01-15T14:30:00+05:60', /offset minute 60 out of range 0-59$/],
    ['2025-01-15T14:30:00+0530', /unexpected "\+0530" after the time; expected "Z" or an offset such as "\+05:30"$/],
    ['2025-01-15T14:30:00 UTC', /unexpected " UTC" after the time/],
    ['2025-01-15T14:30:00.Z', /expected digits after the decimal point/],
    ['2025-01-15', /has a date but no time of day/],
    ['2025-01-15X14:30:00Z', /expected "T" between the date and the time, found "X"/],
    ['2025-01-15T14:30Z', /expected a time HH:MM:SS after the date/],
    ['2025-1-15T14:30:00Z', /expected a date YYYY-MM-DD at the start/],
    ['', /expected a date YYYY-MM-DD at the start/],
    [' 2025-01-15T14:30:00Z', /expected a date YYYY-MM-DD at the start/],
  ])('rejects %j', (text, message) => {
    expect(problemOf(() => parseRfc3339(text))).toMatch(message);
  });
});

describe('formatRfc3339', () => {
  it('prints UTC with milliseconds and Z', () => {
    expect(formatRfc3339(Date.UTC(2025, 0, 15, 14, 30))).toBe('2025-01-15T14:30:00.000Z');
    expect(formatRfc3339(1)).toBe('1970-01-01T00:00:00.001Z');
    expect(formatRfc3339(parseRfc3339('2025-01-15T20:00:00.5+05:30'))).toBe('2025-01-15T14:30:00.500Z');
  });

  it('refuses NaN and instants outside the Date range', () => {
    expect(() => formatRfc3339(Number.NaN)).toThrow(RangeError);
    expect(() => formatRfc3339(8.64e15 + 1)).toThrow(RangeError);
    expect(() => formatRfc3339(Number.NEGATIVE_INFINITY)).toThrow(RangeError);
  });

  it('prints what Date#toISOString prints, for any instant, in any order of calls', () => {
    const instant = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }),
      // Around now, where consecutive calls share a day, and the edges of a day and of the range.
      fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2025, 0, 3) }),
      fc.constantFrom(-8.64e15, 8.64e15, -1, -0, 0, 1, -0.5, 0.5, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1)),
    );
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 8 }), (instants) => {
        for (const ms of instants) expect(formatRfc3339(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });
});

describe('resolveTimeSpec', () => {
  const now = Date.UTC(2025, 0, 15, 14, 30);

  it('takes an RFC 3339 time as is, past or future', () => {
    expect(resolveTimeSpec('2025-01-16T00:00:00Z', now)).toBe(Date.UTC(2025, 0, 16));
    expect(resolveTimeSpec('2020-01-01T00:00:00+01:00', now)).toBe(Date.UTC(2019, 11, 31, 23));
  });

  it('adds a Go duration to now', () => {
    expect(resolveTimeSpec('10s', now)).toBe(now + 10_000);
    expect(resolveTimeSpec('1h30m', now)).toBe(now + 5_400_000);
    expect(resolveTimeSpec('0', now)).toBe(now);
    expect(resolveTimeSpec('0s', now)).toBe(now);
  });

  it('rounds a sub-millisecond result up, never early', () => {
    expect(resolveTimeSpec('1500us', now)).toBe(now + 2);
    expect(resolveTimeSpec('1ns', now)).toBe(now + 1);
    expect(resolveTimeSpec('PT0.0001S', now)).toBe(now + 1);
    expect(resolveTimeSpec('P1MT1.0005S', Date.UTC(2025, 0, 31))).toBe(Date.UTC(2025, 1, 28) + 1_001);
  });

  it('adds an ISO 8601 duration to now in calendar terms', () => {
    expect(resolveTimeSpec('PT10S', now)).toBe(now + 10_000);
    expect(resolveTimeSpec('P1D', now)).toBe(now + 86_400_000);
    expect(resolveTimeSpec('P1M', Date.UTC(2025, 0, 31))).toBe(Date.UTC(2025, 1, 28));
  });

  it('refuses a negative duration', () => {
    expect(problemOf(() => resolveTimeSpec('-5s', now))).toMatch(/^negative duration "-5s" is not allowed here \(expected an RFC 3339/);
  });

  it.each([
    ['', /^empty value \(expected an RFC 3339 time such as "2025-01-15T14:30:00Z", a Go duration such as "90s" or "1h30m", or an ISO 8601 duration such as "PT1M30S"\)$/],
    ['1d', /^unknown unit "d" in "1d"; use ns, us, ms, s, m or h \(expected an RFC 3339 time/],
    ['tomorrow', /^expected a number before "tomorrow" in "tomorrow" \(expected an RFC 3339 time/],
    ['R5/PT10S', /^repeating intervals such as "R5\/PT10S" are not accepted for this field.* \(expected an RFC 3339/],
    ['P', /^"P" has no components.* \(expected an RFC 3339/],
    ['2023-02-29T00:00:00Z', /day 29 out of range 1-28 for February 2023 \(expected an RFC 3339/],
    ['P300000Y', /^"P300000Y" lands beyond the last representable time \(expected/],
  ])('rejects %j naming the accepted forms', (text, message) => {
    expect(problemOf(() => resolveTimeSpec(text, now))).toMatch(message);
  });
});
