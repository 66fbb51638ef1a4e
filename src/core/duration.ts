/**
 * Durations: Go's `time.ParseDuration` grammar (Dapr's `@every`, `dueTime`, `ttl`, failure
 * policy intervals) and ISO 8601 durations (`PT10S`), which Dapr also accepts.
 */

import { SyntaxProblem } from './errors.js';

const NS_PER_MS = 1_000_000n;
const UNITS_HINT = 'use ns, us, ms, s, m or h';

/** Nanoseconds per Go unit; both micro signs are accepted, as Go does. */
const GO_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // U+00B5 MICRO SIGN
  ['\u03bcs', 1_000n], // U+03BC GREEK SMALL LETTER MU
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** Go's Duration is an int64 of nanoseconds; 2^63 ns is about 292 years. */
const INT64_LIMIT = 1n << 63n;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses a Go duration exactly as Go's `time.ParseDuration` does and returns whole
 * nanoseconds, including Go's float arithmetic for fractions, so Go's own test table gives
 * identical results. Most callers want {@link parseGoDuration}.
 *
 * @throws SyntaxProblem for anything Go rejects.
 * @example
 * parseGoDurationNanos('1h2m3s4ms5us6ns'); // 3723004005006n
 */
export function parseGoDurationNanos(text: string): bigint {
  if (text === '') throw new SyntaxProblem('empty duration; expected a number and a unit such as "10s" or "1h30m"');
  if (/\s/.test(text)) throw new SyntaxProblem(`durations contain no spaces: "${text}"`);
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new SyntaxProblem(`"${text}" has a sign but no number; expected e.g. "${text}5s"`);
  const overflow = (): SyntaxProblem =>
    new SyntaxProblem(`"${text}" is out of range; a duration must be within about ±292 years`);

  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) {
      throw new SyntaxProblem(`expected a number before "${s}" in "${text}"`);
    }
    // Integer part: Go fails as soon as it passes 2^63.
    let i = 0;
    let whole = 0n;
    while (isDigit(s[i])) {
      whole = whole * 10n + BigInt(s.charCodeAt(i) - 48);
      if (whole > INT64_LIMIT) throw overflow();
      i++;
    }
    const hasWhole = i > 0;
    // Fraction: Go keeps digits while they fit in int64 and ignores the rest.
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (s[i] === '.') {
      i++;
      let fractionOverflow = false;
      while (isDigit(s[i])) {
        hasFraction = true;
        if (!fractionOverflow) {
          const next = fraction * 10n + BigInt(s.charCodeAt(i) - 48);
          if (next > INT64_LIMIT) fractionOverflow = true;
          else {
            fraction = next;
            scale *= 10;
          }
        }
        i++;
      }
    }
    if (!hasWhole && !hasFraction) {
      throw new SyntaxProblem(`expected digits around the "." in "${text}"`);
    }
    let end = i;
    while (end < s.length && s[end] !== '.' && !isDigit(s[end])) end++;
    const unitText = s.slice(i, end);
    if (unitText === '') {
      const number = s.slice(0, i);
      throw new SyntaxProblem(`missing unit after "${number}" in "${text}"; ${UNITS_HINT} (e.g. "${number}s")`);
    }
    const unit = GO_UNITS.get(unitText);
    if (unit === undefined) throw new SyntaxProblem(`unknown unit "${unitText}" in "${text}"; ${UNITS_HINT}`);
    s = s.slice(end);

    if (whole > INT64_LIMIT / unit) throw overflow();
    let value = whole * unit;
    if (fraction > 0n) {
      // Go computes this part in float64 (float64(f) * (float64(unit) / scale)), which is
      // what makes "0.3333333333333333333h" exactly 20 minutes; do the same.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > INT64_LIMIT) throw overflow();
    }
    total += value;
    if (total > INT64_LIMIT) throw overflow();
  }
  if (negative) return -total;
  if (total > INT64_LIMIT - 1n) throw overflow();
  return total;
}

/**
 * Parses a Go duration (`time.ParseDuration` grammar, strictly): an optional sign, then one
 * or more `<decimal><unit>` pairs with units ns, us, µs, ms, s, m, h; `"0"` alone is allowed.
 * Returns milliseconds, with a fraction for sub-millisecond parts. Negative values parse;
 * the caller decides whether they are allowed.
 *
 * @throws SyntaxProblem, e.g. `unknown unit "d" in "1d"; use ns, us, ms, s, m or h`.
 * @example
 * parseGoDuration('1h30m'); // 5400000
 * parseGoDuration('1.5s');  // 1500
 * parseGoDuration('-250us'); // -0.25
 */
export function parseGoDuration(text: string): number {
  const ns = parseGoDurationNanos(text);
  // Split so whole milliseconds stay exact even past 2^53 nanoseconds (~104 days).
  const wholeMs = ns / NS_PER_MS;
  return Number(wholeMs) + Number(ns - wholeMs * NS_PER_MS) / 1e6;
}

/** Go's fmtFrac: the fraction of `v` below `10^precision`, without trailing zeros. */
function fractionText(v: bigint, precision: number): { text: string; rest: bigint } {
  const divisor = 10n ** BigInt(precision);
  const digits = (v % divisor).toString().padStart(precision, '0').replace(/0+$/, '');
  return { text: digits === '' ? '' : `.${digits}`, rest: v / divisor };
}

/**
 * Formats milliseconds the way Go's `Duration.String()` does: `h`, `m` and `s` for a second
 * or more, otherwise the largest of ms, µs (U+00B5) and ns that keeps a whole part.
 *
 * @throws RangeError for NaN or infinity.
 * @example
 * formatGoDuration(5_400_000); // "1h30m0s"
 * formatGoDuration(1_500);     // "1.5s"
 * formatGoDuration(250);       // "250ms"
 * formatGoDuration(0.0011);    // "1.1µs"
 */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format ${ms} as a duration`);
  const wholeMs = Math.trunc(ms);
  let ns = BigInt(wholeMs) * NS_PER_MS + BigInt(Math.round((ms - wholeMs) * 1e6));
  const sign = ns < 0n ? '-' : '';
  if (ns < 0n) ns = -ns;
  if (ns === 0n) return '0s';
  if (ns < 1_000_000_000n) {
    const [precision, unit] = ns < 1_000n ? [0, 'ns'] : ns < 1_000_000n ? [3, '\u00b5s'] : [6, 'ms'];
    const { text, rest } = fractionText(ns, precision);
    return `${sign}${rest}${text}${unit}`;
  }
  const { text, rest: seconds } = fractionText(ns, 9);
  let out = `${seconds % 60n}${text}s`;
  const minutes = seconds / 60n;
  if (minutes > 0n) {
    out = `${minutes % 60n}m${out}`;
    const hours = minutes / 60n;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return sign + out;
}

/** A non-repeating ISO 8601 duration, component by component (not normalised). */
export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

type IsoField = keyof IsoDuration;

/** Designators in the order ISO 8601 requires them, split at `T`. */
const DATE_DESIGNATORS: ReadonlyMap<string, IsoField> = new Map([
  ['Y', 'years'],
  ['M', 'months'],
  ['W', 'weeks'],
  ['D', 'days'],
]);
const TIME_DESIGNATORS: ReadonlyMap<string, IsoField> = new Map([
  ['H', 'hours'],
  ['M', 'minutes'],
  ['S', 'seconds'],
]);
const FIELD_ORDER: readonly IsoField[] = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'];
const ISO_NUMBER = /^(\d+)(?:[.,](\d+))?/;

/**
 * Parses a non-repeating ISO 8601 duration `PnYnMnWnDTnHnMnS`. Components must come in that
 * order, each at most once; weeks may be combined with the others. Only the last (smallest)
 * component may carry a fraction (`.` or `,`), and never years or months, whose length
 * depends on the date they are added to. `P` or `PT` alone, signs and the repeating form
 * `R5/PT10S` are rejected.
 *
 * @throws SyntaxProblem naming the offending part.
 * @example
 * parseIsoDuration('P1DT12H'); // { years: 0, months: 0, weeks: 0, days: 1, hours: 12, minutes: 0, seconds: 0 }
 * parseIsoDuration('PT1.5S');  // seconds: 1.5
 */
export function parseIsoDuration(text: string): IsoDuration {
  if (text.startsWith('R')) {
    throw new SyntaxProblem(
      `repeating intervals such as "${text}" are not accepted for this field; give a single duration such as "PT10S"`,
    );
  }
  if (text[0] === '-' || text[0] === '+') {
    throw new SyntaxProblem(`signed ISO 8601 durations such as "${text}" are not accepted`);
  }
  if (text[0] !== 'P') {
    throw new SyntaxProblem(`an ISO 8601 duration starts with an upper-case "P", as in "PT10S"; got "${text}"`);
  }
  const result: IsoDuration = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };
  let rest = text.slice(1);
  let inTime = false;
  let lastOrder = -1;
  let fractionOn: string | null = null;
  let components = 0;
  while (rest !== '') {
    if (rest[0] === 'T') {
      if (inTime) throw new SyntaxProblem(`"${text}" has a second "T"`);
      inTime = true;
      rest = rest.slice(1);
      if (rest === '') throw new SyntaxProblem(`"${text}": "T" must be followed by hours, minutes or seconds (e.g. "PT10S")`);
      continue;
    }
    const number = ISO_NUMBER.exec(rest);
    if (number === null) throw new SyntaxProblem(`expected a number before "${rest}" in "${text}"`);
    rest = rest.slice(number[0].length);
    const designator = rest[0];
    if (designator === undefined) {
      throw new SyntaxProblem(`"${number[0]}" at the end of "${text}" has no designator (Y, M, W, D, or H, M, S after T)`);
    }
    if (designator === 'T') {
      throw new SyntaxProblem(inTime ? `"${text}" has a second "T"` : `"${number[0]}" before the "T" in "${text}" has no designator`);
    }
    rest = rest.slice(1);
    const field = (inTime ? TIME_DESIGNATORS : DATE_DESIGNATORS).get(designator);
    if (field === undefined) {
      if (!inTime && TIME_DESIGNATORS.has(designator)) {
        throw new SyntaxProblem(`"${designator}" in "${text}" needs a "T" before it (e.g. "PT1${designator}")`);
      }
      if (inTime && DATE_DESIGNATORS.has(designator)) {
        throw new SyntaxProblem(`"${designator}" in "${text}" belongs before the "T"`);
      }
      throw new SyntaxProblem(`unknown designator "${designator}" in "${text}"; use Y, M, W, D, then T and H, M, S`);
    }
    const order = FIELD_ORDER.indexOf(field);
    if (order <= lastOrder) throw new SyntaxProblem(`"${text}": ${field} repeated or out of order (expected PnYnMnWnDTnHnMnS)`);
    if (fractionOn !== null) {
      throw new SyntaxProblem(`"${text}": only the last component may have a fraction, not ${fractionOn}`);
    }
    const fraction = number[2];
    if (fraction !== undefined) {
      if (field === 'years' || field === 'months') {
        throw new SyntaxProblem(`"${text}": fractional ${field} are not supported; their length depends on the date`);
      }
      fractionOn = field;
    }
    const value = Number(fraction === undefined ? number[1] : `${number[1]}.${fraction}`);
    if (!(value <= Number.MAX_SAFE_INTEGER)) throw new SyntaxProblem(`"${text}": ${field} value ${number[0]} is too large`);
    result[field] = value;
    lastOrder = order;
    components++;
  }
  if (components === 0) throw new SyntaxProblem(`"${text}" has no components; expected e.g. "PT10S" or "P1D"`);
  return result;
}

const DAY_MS = 86_400_000;

/**
 * Adds an ISO 8601 duration to an instant in UTC calendar terms: years and months first,
 * clamping the day to the end of the target month (Jan 31 + P1M = Feb 28 or 29), then weeks,
 * days, hours, minutes and seconds as fixed lengths (a UTC day is always 24 h). The result
 * carries a fraction of a millisecond when the seconds do.
 *
 * @throws RangeError when the result leaves the JavaScript Date range (year ±275760).
 * @example
 * addIsoDuration(Date.parse('2025-01-31T10:00:00Z'), parseIsoDuration('P1M'));
 * // Date.parse('2025-02-28T10:00:00Z')
 */
export function addIsoDuration(base: number, d: IsoDuration): number {
  const start = new Date(base);
  if (Number.isNaN(start.getTime())) throw new RangeError(`invalid base instant ${base}`);
  const timeOfDay = base - Math.floor(base / DAY_MS) * DAY_MS;
  const monthIndex = start.getUTCMonth() + d.months + 12 * d.years;
  const year = start.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = monthIndex - Math.floor(monthIndex / 12) * 12;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const probe = new Date(0);
  probe.setUTCFullYear(year, month + 1, 0); // day 0 of the next month = last day of this one
  const lastDay = probe.getUTCDate();
  probe.setUTCFullYear(year, month, Math.min(start.getUTCDate(), lastDay));
  const result =
    probe.getTime() +
    timeOfDay +
    (d.weeks * 7 + d.days) * DAY_MS +
    d.hours * 3_600_000 +
    d.minutes * 60_000 +
    d.seconds * 1_000;
  if (!(Math.abs(result) <= 8.64e15)) throw new RangeError('the result is beyond the JavaScript Date range');
  return result;
}
