import { describe, expect, it } from 'vitest';
import { SyntaxProblem } from '../../src/core/errors.js';
import {
  addIsoDuration,
  formatGoDuration,
  parseGoDuration,
  parseGoDurationNanos,
  parseIsoDuration,
} from '../../src/core/duration.js';

const ns = 1n;
const us = 1_000n;
const ms = 1_000_000n;
const s = 1_000_000_000n;
const m = 60n * s;
const h = 60n * m;

// Go's parseDurationTests (src/time/time_test.go), value for value.
const GO_ACCEPTED: ReadonlyArray<[string, bigint]> = [
  ['0', 0n],
  ['5s', 5n * s],
  ['30s', 30n * s],
  ['1478s', 1478n * s],
  ['-5s', -5n * s],
  ['+5s', 5n * s],
  ['-0', 0n],
  ['+0', 0n],
  ['5.0s', 5n * s],
  ['5.6s', 5n * s + 600n * ms],
  ['5.s', 5n * s],
  ['.5s', 500n * ms],
  ['1.0s', 1n * s],
  ['1.00s', 1n * s],
  ['1.004s', 1n * s + 4n * ms],
  ['1.0040s', 1n * s + 4n * ms],
  ['100.00100s', 100n * s + 1n * ms],
  ['10ns', 10n * ns],
  ['11us', 11n * us],
  ['12\u00b5s', 12n * us],
  ['12\u03bcs', 12n * us],
  ['13ms', 13n * ms],
  ['14s', 14n * s],
  ['15m', 15n * m],
  ['16h', 16n * h],
  ['3h30m', 3n * h + 30n * m],
  ['10.5s4m', 4n * m + 10n * s + 500n * ms],
  ['-2m3.4s', -(2n * m + 3n * s + 400n * ms)],
  ['1h2m3s4ms5us6ns', 1n * h + 2n * m + 3n * s + 4n * ms + 5n * us + 6n * ns],
  ['39h9m14.425s', 39n * h + 9n * m + 14n * s + 425n * ms],
  ['52763797000ns', 52763797000n * ns],
  ['0.3333333333333333333h', 20n * m],
  ['9007199254740993ns', (1n << 53n) + 1n],
  ['9223372036854775807ns', (1n << 63n) - 1n],
  ['9223372036854775.807us', (1n << 63n) - 1n],
  ['9223372036s854ms775us807ns', (1n << 63n) - 1n],
  ['-9223372036854775808ns', -(1n << 63n)],
  ['-9223372036854775.808us', -(1n << 63n)],
  ['-9223372036s854ms775us808ns', -(1n << 63n)],
  ['-2562047h47m16.854775808s', -(1n << 63n)],
  ['0.100000000000000000000h', 6n * m],
  ['0.830103483285477580700h', 49n * m + 48n * s + 372539827n * ns],
];

// Go's parseDurationErrorTests, each with the reason our message must give.
const GO_REJECTED: ReadonlyArray<[string, RegExp]> = [
  ['', /^empty duration/],
  ['3', /^missing unit after "3" in "3"; use ns, us, ms, s, m or h \(e\.g\. "3s"\)$/],
  ['-', /^"-" has a sign but no number/],
  ['s', /^expected a number before "s" in "s"$/],
  ['.', /^expected digits around the "\." in "\."$/],
  ['-.', /^expected digits around the "\." in "-\."$/],
  ['.s', /^expected digits around the "\." in "\.s"$/],
  ['+.s', /^expected digits around the "\." in "\+\.s"$/],
  ['1d', /^unknown unit "d" in "1d"; use ns, us, ms, s, m or h$/],
  ['\x85\x85', /^expected a number before/],
  ['\xffff', /^expected a number before/],
  ['hello \xffff world', /^durations contain no spaces/],
  ['\uFFFD', /^expected a number before/],
  ['\uFFFD hello \uFFFD world', /^durations contain no spaces/],
  ['9223372036854775810ns', /is out of range; a duration must be within about ±292 years$/],
  ['9223372036854775808ns', /is out of range/],
  ['-9223372036854775809ns', /is out of range/],
  ['9223372036854775.808us', /is out of range/],
  ['-9223372036854775.809us', /is out of range/],
  ['9223372036s854ms775us808ns', /is out of range/],
  ['-9223372036s854ms775us809ns', /is out of range/],
];

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SyntaxProblem);
    return (error as Error).message;
  }
  throw new Error('expected a SyntaxProblem');
}

describe('parseGoDurationNanos (Go test table)', () => {
  it.each(GO_ACCEPTED)('accepts %j', (text, want) => {
    expect(parseGoDurationNanos(text)).toBe(want);
  });

  it.each(GO_REJECTED)('rejects %j', (text, message) => {
    expect(problemOf(() => parseGoDurationNanos(text))).toMatch(message);
  });
});

describe('parseGoDuration', () => {
  it('returns milliseconds, with a fraction below a millisecond', () => {
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1_500);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('-250us')).toBe(-0.25);
    expect(parseGoDuration('1h2m3s4ms5us6ns')).toBeCloseTo(3_723_004.005006, 9);
    expect(parseGoDuration('0')).toBe(0);
  });

  it('keeps whole milliseconds exact past 2^53 nanoseconds', () => {
    expect(parseGoDuration('2562047h')).toBe(2_562_047 * 3_600_000);
    expect(parseGoDuration('9223372036854ms')).toBe(9_223_372_036_854);
  });

  it('rejects forms Go rejects that people try', () => {
    expect(problemOf(() => parseGoDuration('1h 30m'))).toBe('durations contain no spaces: "1h 30m"');
    expect(problemOf(() => parseGoDuration('10S'))).toMatch(/^unknown unit "S" in "10S"/);
    expect(problemOf(() => parseGoDuration('1h30'))).toMatch(/^missing unit after "30" in "1h30"/);
    expect(problemOf(() => parseGoDuration('300 years'))).toMatch(/no spaces/);
    expect(problemOf(() => parseGoDuration('1.5.5s'))).toMatch(/^missing unit after "1\.5"/);
  });
});

describe('formatGoDuration', () => {
  // Go's durationTests for Duration.String, where a float of milliseconds can hold the value.
  it.each([
    ['0s', 0],
    ['1ns', 0.000001],
    ['1.1\u00b5s', 0.0011],
    ['2.2ms', 2.2],
    ['3.3s', 3_300],
    ['4m5s', 245_000],
    ['4m5.001s', 245_001],
    ['5h6m7.001s', 18_367_001],
    ['8m0.000000001s', 480_000.000001],
    ['1h30m0s', 5_400_000],
    ['1.5s', 1_500],
    ['250ms', 250],
    ['-1.5s', -1_500],
    ['2562047h47m16.854s', 9_223_372_036_854],
  ])('formats as %s', (want, value) => {
    expect(formatGoDuration(value)).toBe(want);
  });

  it('round-trips through parseGoDuration', () => {
    for (const text of ['1h30m0s', '1.5s', '250ms', '2h0m0.001s', '-3m4s']) {
      expect(formatGoDuration(parseGoDuration(text))).toBe(text);
    }
  });

  it('refuses values that are not finite', () => {
    expect(() => formatGoDuration(Number.NaN)).toThrow(RangeError);
    expect(() => formatGoDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('parseIsoDuration', () => {
  const zero = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

  it('reads every component', () => {
    expect(parseIsoDuration('P1Y2M3W4DT5H6M7S')).toEqual({
      years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7,
    });
    expect(parseIsoDuration('PT10S')).toEqual({ ...zero, seconds: 10 });
    expect(parseIsoDuration('P1M')).toEqual({ ...zero, months: 1 });
    expect(parseIsoDuration('PT1M')).toEqual({ ...zero, minutes: 1 });
    expect(parseIsoDuration('P2W')).toEqual({ ...zero, weeks: 2 });
    expect(parseIsoDuration('P1DT12H')).toEqual({ ...zero, days: 1, hours: 12 });
    expect(parseIsoDuration('PT0S')).toEqual(zero);
  });

  it('allows a fraction on the smallest given component', () => {
    expect(parseIsoDuration('PT1.5S')).toEqual({ ...zero, seconds: 1.5 });
    expect(parseIsoDuration('PT1H0,5M')).toEqual({ ...zero, hours: 1, minutes: 0.5 });
    expect(parseIsoDuration('P1.5D')).toEqual({ ...zero, days: 1.5 });
  });

  it.each([
    ['P', /^"P" has no components; expected e\.g\. "PT10S" or "P1D"$/],
    ['PT', /"T" must be followed by hours, minutes or seconds/],
    ['P1DT', /"T" must be followed by hours, minutes or seconds/],
    ['R5/PT10S', /^repeating intervals such as "R5\/PT10S" are not accepted for this field/],
    ['PT1.5M30S', /only the last component may have a fraction, not minutes/],
    ['P1.5Y', /fractional years are not supported/],
    ['P0.5M', /fractional months are not supported/],
    ['P1H', /"H" in "P1H" needs a "T" before it/],
    ['PT1D', /"D" in "PT1D" belongs before the "T"/],
    ['P1D2Y', /years repeated or out of order/],
    ['PT1S1S', /seconds repeated or out of order/],
    ['P1X', /unknown designator "X"/],
    ['P1', /"1" at the end of "P1" has no designator/],
    ['PTS', /expected a number before "S" in "PTS"/],
    ['-P1D', /signed ISO 8601 durations/],
    ['pt10s', /starts with an upper-case "P"/],
    ['10S', /starts with an upper-case "P"/],
    ['PT1T1S', /^"PT1T1S" has a second "T"$/],
    ['PT1HT1S', /^"PT1HT1S" has a second "T"$/],
    ['P1T1S', /^"1" before the "T" in "P1T1S" has no designator$/],
    [`P${'9'.repeat(20)}D`, /days value 9+ is too large/],
  ])('rejects %j', (text, message) => {
    expect(problemOf(() => parseIsoDuration(text))).toMatch(message);
  });
});

describe('addIsoDuration', () => {
  const at = (text: string): number => Date.parse(text);
  const add = (base: string, duration: string): string =>
    new Date(addIsoDuration(at(base), parseIsoDuration(duration))).toISOString();

  it('clamps the day to the end of the month for years and months', () => {
    expect(add('2025-01-31T10:00:00.000Z', 'P1M')).toBe('2025-02-28T10:00:00.000Z');
    expect(add('2024-01-31T10:00:00.000Z', 'P1M')).toBe('2024-02-29T10:00:00.000Z');
    expect(add('2024-02-29T00:00:00.000Z', 'P1Y')).toBe('2025-02-28T00:00:00.000Z');
    expect(add('2024-02-29T00:00:00.000Z', 'P4Y')).toBe('2028-02-29T00:00:00.000Z');
    expect(add('2025-03-31T08:00:00.000Z', 'P1M')).toBe('2025-04-30T08:00:00.000Z');
    expect(add('2025-11-30T00:00:00.000Z', 'P3M')).toBe('2026-02-28T00:00:00.000Z');
    expect(add('2025-12-15T00:00:00.000Z', 'P1Y13M')).toBe('2028-01-15T00:00:00.000Z');
  });

  it('adds months before days (P1M1D from Jan 31 is Mar 1)', () => {
    expect(add('2025-01-31T00:00:00.000Z', 'P1M1D')).toBe('2025-03-01T00:00:00.000Z');
  });

  it('adds weeks, days and time as fixed lengths', () => {
    expect(add('2025-01-15T14:30:00.000Z', 'PT10S')).toBe('2025-01-15T14:30:10.000Z');
    expect(add('2025-01-15T14:30:00.000Z', 'P1W2DT3H4M5.5S')).toBe('2025-01-24T17:34:05.500Z');
    expect(add('2025-03-08T12:00:00.000Z', 'P1D')).toBe('2025-03-09T12:00:00.000Z');
    expect(add('2025-01-15T00:00:00.000Z', 'PT36H')).toBe('2025-01-16T12:00:00.000Z');
  });

  it('handles years below 100 and before 1970', () => {
    expect(add('0050-01-31T00:00:00.000Z', 'P1M')).toBe('0050-02-28T00:00:00.000Z');
    expect(add('1969-12-31T23:00:00.000Z', 'PT2H')).toBe('1970-01-01T01:00:00.000Z');
  });

  it('throws a RangeError beyond the Date range', () => {
    expect(() => addIsoDuration(0, parseIsoDuration('P300000Y'))).toThrow(RangeError);
  });
});
