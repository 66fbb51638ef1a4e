/**
 * Absolute times: RFC 3339 timestamps, the civil-calendar arithmetic behind them, and the
 * `dueTime`/`ttl` grammar of the Dapr Jobs API (a timestamp or a duration from now).
 *
 * The calendar helpers live here rather than in their own file because a timestamp is the
 * first thing that needs them; `timezone.ts` and `cron.ts` import them from here.
 */

import { SyntaxProblem } from './errors.js';
import { addIsoDuration, parseGoDuration, parseIsoDuration } from './duration.js';

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/**
 * Whether `year` is a leap year in the proleptic Gregorian calendar.
 *
 * @example
 * isLeapYear(2024); // true
 * isLeapYear(2100); // false
 */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Days in `month` (1-12) of `year`.
 *
 * @example
 * daysInMonth(2024, 2); // 29
 */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). Pure integer arithmetic
 * (Howard Hinnant's `days_from_civil`), so years 0-99 work, unlike `Date.UTC`, which maps
 * them to 1900-1999, and it is several times faster than building a Date.
 *
 * @example
 * daysFromCivil(1970, 1, 1); // 0
 * daysFromCivil(2000, 3, 1); // 11017
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** A calendar date; `month` is 1-12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/**
 * The inverse of {@link daysFromCivil}.
 *
 * @example
 * civilFromDays(11017); // { year: 2000, month: 3, day: 1 }
 */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

// Parsed piece by piece (not one regex) so each failure can say exactly what is wrong.
const DATE_PART = /^(\d{4})-(\d{2})-(\d{2})/;
const TIME_PART = /^(\d{2}):(\d{2}):(\d{2})/;
const FRACTION_PART = /^\.(\d*)/;
const OFFSET_PART = /^([+-])(\d{2}):(\d{2})$/;
const EXAMPLE = '"2025-01-15T14:30:00Z"';

/**
 * Parses an RFC 3339 timestamp `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into epoch ms.
 *
 * Lenient where RFC 3339 itself allows it: `t`/`z` in lower case and a space instead of `T`.
 * A fraction of any length is truncated (not rounded) to milliseconds. Second 60 (a leap
 * second) reads as 59.999 of that minute. A timestamp WITHOUT an offset is accepted and read
 * as UTC, because clients of the Dapr API send such values and Go's own tooling tends to
 * treat them as UTC too; strict RFC 3339 would reject them.
 *
 * @throws SyntaxProblem naming the malformed or out-of-range part.
 * @example
 * parseRfc3339('2025-01-15T14:30:00Z');        // 1736951400000
 * parseRfc3339('2025-01-15T20:00:00.5+05:30'); // 1736951400500
 * parseRfc3339('2025-01-15 14:30:00');          // 1736951400000 (no offset: UTC)
 */
export function parseRfc3339(text: string): number {
  const date = DATE_PART.exec(text);
  if (date === null) {
    throw new SyntaxProblem(`"${text}" is not an RFC 3339 time: expected a date YYYY-MM-DD at the start, as in ${EXAMPLE}`);
  }
  let rest = text.slice(10);
  const separator = rest[0];
  if (separator === undefined) {
    throw new SyntaxProblem(`"${text}" has a date but no time of day; RFC 3339 needs e.g. "${text}T00:00:00Z"`);
  }
  if (separator !== 'T' && separator !== 't' && separator !== ' ') {
    throw new SyntaxProblem(`"${text}": expected "T" between the date and the time, found "${separator}"`);
  }
  rest = rest.slice(1);
  const time = TIME_PART.exec(rest);
  if (time === null) {
    throw new SyntaxProblem(`"${text}": expected a time HH:MM:SS after the date, as in ${EXAMPLE}`);
  }
  rest = rest.slice(8);
  let millis = 0;
  const fraction = FRACTION_PART.exec(rest);
  if (fraction !== null) {
    const digits = fraction[1] ?? '';
    if (digits === '') throw new SyntaxProblem(`"${text}": expected digits after the decimal point of the seconds`);
    millis = Number(digits.slice(0, 3).padEnd(3, '0'));
    rest = rest.slice(fraction[0].length);
  }
  let offsetMinutes = 0;
  if (rest === 'Z' || rest === 'z' || rest === '') {
    offsetMinutes = 0;
  } else {
    const offset = OFFSET_PART.exec(rest);
    if (offset === null) {
      throw new SyntaxProblem(`"${text}": unexpected "${rest}" after the time; expected "Z" or an offset such as "+05:30"`);
    }
    const offsetHours = Number(offset[2]);
    const offsetMins = Number(offset[3]);
    if (offsetHours > 23) throw new SyntaxProblem(`"${text}": offset hour ${offsetHours} out of range 0-23`);
    if (offsetMins > 59) throw new SyntaxProblem(`"${text}": offset minute ${offsetMins} out of range 0-59`);
    offsetMinutes = (offset[1] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }

  const year = Number(date[1]);
  const month = Number(date[2]);
  const day = Number(date[3]);
  const hour = Number(time[1]);
  const minute = Number(time[2]);
  let second = Number(time[3]);
  if (month < 1 || month > 12) throw new SyntaxProblem(`"${text}": month ${month} out of range 1-12`);
  const lastDay = daysInMonth(year, month);
  if (day < 1 || day > lastDay) {
    throw new SyntaxProblem(`"${text}": day ${day} out of range 1-${lastDay} for ${MONTH_NAMES[month - 1]} ${year}`);
  }
  if (hour > 23) throw new SyntaxProblem(`"${text}": hour ${hour} out of range 0-23`);
  if (minute > 59) throw new SyntaxProblem(`"${text}": minute ${minute} out of range 0-59`);
  if (second > 60) throw new SyntaxProblem(`"${text}": second ${second} out of range 0-60`);
  if (second === 60) {
    // Epoch time has no leap seconds; the last representable moment of the minute stands in.
    second = 59;
    millis = 999;
  }
  return (
    daysFromCivil(year, month, day) * DAY_MS +
    hour * HOUR_MS +
    minute * MINUTE_MS +
    second * SECOND_MS +
    millis -
    offsetMinutes * MINUTE_MS
  );
}

/**
 * Formats epoch ms as RFC 3339 in UTC with millisecond precision and `Z`.
 *
 * @throws RangeError for a value outside the JavaScript Date range (or NaN).
 * @example
 * formatRfc3339(1736951400000); // "2025-01-15T14:30:00.000Z"
 */
export function formatRfc3339(ms: number): string {
  // A Date's time value is the integer toward zero; outside the Date range (or NaN) the
  // Date path throws its RangeError.
  const at = Math.trunc(ms);
  if (!(Math.abs(at) <= MAX_INSTANT)) return new Date(ms).toISOString();
  // Every callback formats two or three instants, mostly of the same day: the day's part is
  // kept from the last call, and the rest is printed here without a Date. `Date#toISOString`
  // cost about 1 µs a call on Node 20, 2% of a callback burst's server CPU
  // (docs/benchmarks.md, "Instants printed without a Date").
  const day = Math.floor(at / DAY_MS);
  if (day !== printedDay) {
    const date = civilFromDays(day);
    if (date.year < 0 || date.year > 9999) return new Date(at).toISOString(); // ±YYYYYY years
    printedDayPrefix = `${String(date.year).padStart(4, '0')}-${TWO_DIGITS[date.month]}-${TWO_DIGITS[date.day]}T`;
    printedDay = day;
  }
  const inDay = at - day * DAY_MS;
  const hours = Math.floor(inDay / HOUR_MS);
  const minutes = Math.floor((inDay % HOUR_MS) / MINUTE_MS);
  const seconds = Math.floor((inDay % MINUTE_MS) / SECOND_MS);
  const millis = inDay % SECOND_MS;
  return `${printedDayPrefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/** formatRfc3339's last day (days since the epoch) and its `YYYY-MM-DDT`. */
let printedDay = Number.NaN;
let printedDayPrefix = '';
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

// JavaScript Dates end at ±8.64e15 ms (year ±275760); later instants cannot be stored.
const MAX_INSTANT = 8.64e15;
const ACCEPTED_FORMS =
  'expected an RFC 3339 time such as "2025-01-15T14:30:00Z", a Go duration such as "90s" or "1h30m", ' +
  'or an ISO 8601 duration such as "PT1M30S"';

/**
 * Resolves what the Dapr Jobs API accepts for `dueTime` and `ttl` into absolute epoch ms:
 * an RFC 3339 time (see {@link parseRfc3339}), a Go duration from `now` (not negative), or a
 * non-repeating ISO 8601 duration from `now`. A text starting with four digits and `-` is
 * read as a time, one starting with `P` or `R` as an ISO duration, anything else as a Go
 * duration. A duration is rounded UP to a whole millisecond, so with a whole-millisecond
 * `now` the result is whole and never earlier than asked.
 *
 * @throws SyntaxProblem whose message ends with the accepted forms.
 * @example
 * const now = Date.parse('2025-01-15T14:30:00Z');
 * resolveTimeSpec('10s', now);                  // now + 10000
 * resolveTimeSpec('PT1H', now);                 // now + 3600000
 * resolveTimeSpec('2025-01-16T00:00:00Z', now); // 1736985600000
 */
export function resolveTimeSpec(text: string, now: number): number {
  let at: number;
  try {
    at = resolve(text, now);
  } catch (error) {
    if (error instanceof SyntaxProblem) throw new SyntaxProblem(`${error.message} (${ACCEPTED_FORMS})`);
    throw error;
  }
  if (!(Math.abs(at) <= MAX_INSTANT)) {
    throw new SyntaxProblem(`"${text}" lands beyond the year 275760, the last representable time (${ACCEPTED_FORMS})`);
  }
  return at;
}

/** Whether `resolveTimeSpec` reads this text as a time (else as a duration). */
export function readsAsTime(text: string): boolean {
  return /^\d{4}-/.test(text);
}

function resolve(text: string, now: number): number {
  if (text === '') throw new SyntaxProblem('empty value');
  if (readsAsTime(text)) return parseRfc3339(text);
  const first = text[0];
  if (first === 'P' || first === 'R') {
    const d = parseIsoDuration(text);
    try {
      // Calendar part and fixed part apart: at ~1.7e12 ms a float cannot hold the fraction
      // of a millisecond that rounding up needs to see.
      const calendar = addIsoDuration(now, { ...d, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 });
      return calendar + Math.ceil(addIsoDuration(0, { ...d, years: 0, months: 0 }));
    } catch (error) {
      if (error instanceof RangeError) throw new SyntaxProblem(`"${text}" lands beyond the last representable time`);
      throw error;
    }
  }
  const ms = parseGoDuration(text);
  if (ms < 0) throw new SyntaxProblem(`negative duration "${text}" is not allowed here`);
  return now + Math.ceil(ms);
}
