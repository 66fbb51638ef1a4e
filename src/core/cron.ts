/**
 * Cron expressions as Dapr accepts them (robfig/cron grammar): 5 or 6 fields, descriptors,
 * an optional `CRON_TZ=`/`TZ=` prefix, and the next occurrence in the schedule's time zone.
 */

import { SyntaxProblem } from './errors.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, civilFromDays, daysFromCivil, daysInMonth } from './time-spec.js';
import { assertTimeZone, gapEnd, offsetAt, transitionBetween, wallTimeToInstants } from './timezone.js';

/** A parsed cron expression bound to its time zone. */
export interface CronSchedule {
  /** The IANA zone the fields are read in (canonical spelling; "UTC" by default). */
  readonly timezone: string;
  /** The expression exactly as given to {@link parseCron}, prefix included. */
  readonly text: string;
  /**
   * The first occurrence strictly after the instant `after` (epoch ms), on a whole second,
   * or null when there is none before the end of the fifth calendar year after `after`
   * (`0 0 30 2 *` never occurs).
   */
  next(after: number): number | null;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Upper bound of `*` and `a/n`; differs from max only for day-of-week (7 is an alias). */
  openMax: number;
  names?: ReadonlyMap<string, number>;
  dayField?: boolean;
}

const MONTH_NAMES = new Map(
  ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'].map((n, i) => [n, i + 1]),
);
const WEEKDAY_NAMES = new Map(['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'].map((n, i) => [n, i]));

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59, openMax: 59 };
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59, openMax: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23, openMax: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31, openMax: 31, dayField: true };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, openMax: 12, names: MONTH_NAMES };
// `*` and `1/2` stop at 6 so Sunday is not produced twice or by surprise; 7 only when written.
const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 0, max: 7, openMax: 6, names: WEEKDAY_NAMES, dayField: true };

const DESCRIPTORS: ReadonlyMap<string, string> = new Map([
  ['@yearly', '0 0 0 1 1 *'],
  ['@annually', '0 0 0 1 1 *'],
  ['@monthly', '0 0 0 1 * *'],
  ['@weekly', '0 0 0 * * 0'],
  ['@daily', '0 0 0 * * *'],
  ['@midnight', '0 0 0 * * *'],
  ['@hourly', '0 0 * * * *'],
]);

const FIVE_FIELDS = '5 (minute hour day-of-month month day-of-week)';
const SIX_FIELDS = '6 (second minute hour day-of-month month day-of-week)';
const NUMBER = /^\d+$/;
/** Quartz extensions: last day (L), nearest weekday (W); `#` is checked separately. */
const QUARTZ = /^(?:L|LW|L-\d+|\d+[LW]|[A-Za-z]{3}L|W)$/i;

interface ParsedField {
  values: Uint8Array;
  /** `*` or `?` (with no step above 1): decides the day-of-month/day-of-week semantics. */
  star: boolean;
}

function fieldValue(token: string, item: string, spec: FieldSpec): number {
  if (token === '') throw new SyntaxProblem(`empty value in ${spec.name} "${item}"`);
  let value: number | undefined;
  if (NUMBER.test(token)) value = Number(token);
  else if (spec.names !== undefined) {
    value = spec.names.get(token.toUpperCase());
    if (value === undefined) {
      const hint = spec.names === MONTH_NAMES ? 'JAN-DEC or 1-12' : 'SUN-SAT or 0-7';
      throw new SyntaxProblem(`unknown ${spec.name} name "${token}"; use ${hint}`);
    }
  } else {
    throw new SyntaxProblem(`invalid ${spec.name} value "${token}"; expected a number ${spec.min}-${spec.max}`);
  }
  if (value < spec.min || value > spec.max) {
    throw new SyntaxProblem(`${spec.name} ${value} out of range ${spec.min}-${spec.max}`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec): ParsedField {
  const values = new Uint8Array(spec.max + 1);
  let star = false;
  for (const item of text.split(',')) {
    if (item === '') throw new SyntaxProblem(`empty value in ${spec.name} list "${text}"`);
    if (item.includes('#')) throw new SyntaxProblem(`"#" (nth weekday of the month) in ${spec.name} "${item}" is not supported`);
    if (spec.dayField === true && QUARTZ.test(item)) {
      const what = /W$/i.test(item) && !/^LW$/i.test(item) ? '"W" (nearest weekday)' : '"L" (last day)';
      throw new SyntaxProblem(`${what} in ${spec.name} "${item}" is not supported`);
    }
    const slash = item.split('/');
    if (slash.length > 2) throw new SyntaxProblem(`more than one "/" in ${spec.name} "${item}"`);
    const [range = '', stepText] = slash;
    let low: number;
    let high: number;
    let isStar = false;
    if (range === '*' || range === '?') {
      if (range === '?' && spec.dayField !== true) {
        throw new SyntaxProblem(`"?" is only allowed in day-of-month and day-of-week, not in ${spec.name}`);
      }
      low = spec.min;
      high = spec.openMax;
      isStar = true;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) throw new SyntaxProblem(`more than one "-" in ${spec.name} "${item}"`);
      low = fieldValue(bounds[0] ?? '', item, spec);
      if (bounds.length === 2) {
        high = fieldValue(bounds[1] ?? '', item, spec);
        if (high < low) {
          throw new SyntaxProblem(`${spec.name} range "${range}" is reversed; write the smaller value first`);
        }
      } else {
        // robfig: "a/n" means from a to the end of the field.
        high = stepText === undefined ? low : spec.openMax;
      }
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!NUMBER.test(stepText)) {
        throw new SyntaxProblem(
          stepText === '' ? `missing step after "/" in ${spec.name} "${item}"` : `step "${stepText}" in ${spec.name} "${item}" is not a number`,
        );
      }
      step = Number(stepText);
      if (step === 0) throw new SyntaxProblem(`step 0 in ${spec.name} "${item}"; the step must be at least 1`);
      if (step > 1) isStar = false;
    }
    for (let v = low; v <= high; v += step) values[v] = 1;
    star ||= isStar;
  }
  return { values, star };
}

/** next[v] = the smallest allowed value >= v, or -1; one slot past max is the -1 sentinel. */
function nextTable(values: Uint8Array): Int8Array {
  const table = new Int8Array(values.length + 1).fill(-1);
  for (let v = values.length - 1; v >= 0; v--) table[v] = values[v] === 1 ? v : (table[v + 1] ?? -1);
  return table;
}

function bitMask(values: Uint8Array): number {
  let mask = 0;
  for (let v = 0; v < values.length; v++) if (values[v] === 1) mask |= 1 << v;
  return mask;
}

class CompiledCron implements CronSchedule {
  readonly timezone: string;
  readonly text: string;
  private readonly utc: boolean;
  private readonly seconds: Int8Array;
  private readonly minutes: Int8Array;
  private readonly hours: Int8Array;
  private readonly months: Int8Array;
  private readonly domMask: number;
  private readonly dowMask: number;
  /** Vixie cron: when both day fields are restricted, a day matching either one matches. */
  private readonly eitherDay: boolean;
  /** Every hour matches, so repeated wall times of a fall-back fire at both instances. */
  private readonly everyHour: boolean;

  constructor(text: string, timezone: string, fields: readonly ParsedField[]) {
    const [second, minute, hour, dom, month, dow] = fields as [ParsedField, ParsedField, ParsedField, ParsedField, ParsedField, ParsedField];
    this.text = text;
    this.timezone = timezone;
    this.utc = timezone === 'UTC' || timezone === 'Etc/UTC';
    this.seconds = nextTable(second.values);
    this.minutes = nextTable(minute.values);
    this.hours = nextTable(hour.values);
    this.months = nextTable(month.values);
    this.domMask = bitMask(dom.values);
    if (dow.values[7] === 1) dow.values[0] = 1; // 7 is Sunday
    this.dowMask = bitMask(dow.values.subarray(0, 7));
    this.eitherDay = !dom.star && !dow.star;
    this.everyHour = hour.values.every((v) => v === 1);
  }

  next(after: number): number | null {
    if (!Number.isFinite(after)) throw new RangeError(`next() needs a finite instant, got ${after}`);
    const t = Math.floor(after / SECOND_MS) * SECOND_MS + SECOND_MS;
    const lastYear = civilFromDays(Math.floor(t / DAY_MS)).year + 5;
    if (this.utc) return this.nextWall(t, lastYear);
    const zone = this.timezone;
    const offset = offsetAt(zone, t);

    // A fall-back within a day of t repeats the wall times [T + later, T + earlier).
    let transition = NaN;
    let earlier = 0;
    let later = 0;
    const previous = offsetAt(zone, t - DAY_MS);
    if (previous > offset) {
      transition = transitionBetween(zone, t - DAY_MS, t);
      earlier = previous;
      later = offset;
    } else {
      const following = offsetAt(zone, t + DAY_MS);
      if (following < offset) {
        transition = transitionBetween(zone, t, t + DAY_MS);
        earlier = offset;
        later = following;
      }
    }

    // First instances, single instants and gap ends all rise with the wall time, so the
    // first matching wall time at or after t's own yields the earliest of them.
    let cursor = t + offset;
    // Past the transition, the repeated wall times' first instances are behind t: jump over
    // them instead of visiting each (3,600 of them for `* * 1 * * *`).
    if (t >= transition) cursor = Math.max(cursor, transition + earlier);
    let primary: number | null = null;
    for (;;) {
      const wall = this.nextWall(cursor, lastYear);
      if (wall === null) break;
      const instants = wallTimeToInstants(zone, wall);
      const candidate = instants.length === 0 ? gapEnd(zone, wall) : (instants[0] as number);
      if (candidate >= t) {
        primary = candidate;
        break;
      }
      // A first instance before t: the skip above makes this unreachable with real tz data;
      // stepping on stays correct, only slower.
      cursor = wall + SECOND_MS;
    }

    // Second instances of repeated wall times (every hour matches): wall w fires again at
    // w - later, which is at or after t once w >= t + later.
    if (this.everyHour && !Number.isNaN(transition)) {
      const wall = this.nextWall(Math.max(transition + later, t + later), lastYear);
      if (wall !== null && wall < transition + earlier) {
        const repeat = wall - later;
        if (primary === null || repeat < primary) return repeat;
      }
    }
    return primary;
  }

  /** The first wall time >= `from` (ms, as if UTC) matching every field, or null. */
  private nextWall(from: number, lastYear: number): number | null {
    const start = Math.ceil(from / SECOND_MS) * SECOND_MS;
    const days = Math.floor(start / DAY_MS);
    const timeOfDay = start - days * DAY_MS;
    let { year, month, day } = civilFromDays(days);
    let hour = Math.floor(timeOfDay / HOUR_MS);
    let minute = Math.floor(timeOfDay / MINUTE_MS) % 60;
    let second = Math.floor(timeOfDay / SECOND_MS) % 60;
    // Each step either accepts a field or moves a larger one forward and resets the smaller
    // ones, so the loop jumps field by field rather than second by second.
    for (;;) {
      if (year > lastYear) return null;
      const nextMonth = this.months[month] as number;
      if (nextMonth < 0) {
        year++;
        month = 1;
        day = 1;
        hour = minute = second = 0;
        continue;
      }
      if (nextMonth !== month) {
        month = nextMonth;
        day = 1;
        hour = minute = second = 0;
      }
      const lastDay = daysInMonth(year, month);
      let weekday = (((daysFromCivil(year, month, day) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
      let matched = day;
      while (matched <= lastDay && !this.dayMatches(matched, weekday)) {
        matched++;
        weekday = weekday === 6 ? 0 : weekday + 1;
      }
      if (matched > lastDay) {
        month++;
        if (month > 12) {
          month = 1;
          year++;
        }
        day = 1;
        hour = minute = second = 0;
        continue;
      }
      if (matched !== day) {
        day = matched;
        hour = minute = second = 0;
      }
      const nextHour = this.hours[hour] as number;
      if (nextHour < 0) {
        day++;
        hour = minute = second = 0;
        continue;
      }
      if (nextHour !== hour) {
        hour = nextHour;
        minute = second = 0;
      }
      const nextMinute = this.minutes[minute] as number;
      if (nextMinute < 0) {
        hour++;
        minute = second = 0;
        continue;
      }
      if (nextMinute !== minute) {
        minute = nextMinute;
        second = 0;
      }
      const nextSecond = this.seconds[second] as number;
      if (nextSecond < 0) {
        minute++;
        second = 0;
        continue;
      }
      return daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + nextSecond * SECOND_MS;
    }
  }

  private dayMatches(day: number, weekday: number): boolean {
    const dom = ((this.domMask >>> day) & 1) === 1;
    const dow = ((this.dowMask >>> weekday) & 1) === 1;
    return this.eitherDay ? dom || dow : dom && dow;
  }
}

const cache = new Map<string, CronSchedule>();
/** Schedules are re-parsed on every firing; 1,000 distinct expressions cover any real app. */
const CACHE_LIMIT = 1_000;
const PREFIX = /^(CRON_TZ|TZ)=(\S*)(?:\s+|$)/;

/**
 * Parses a cron expression as Dapr (robfig/cron) does:
 *
 * - 5 fields `minute hour day-of-month month day-of-week` (second 0), or 6 fields with a
 *   leading `second`;
 * - per field `*`, numbers, `a-b`, `*\/n`, `a-b/n`, `a/n` (a to the end), lists `a,b`;
 *   `?` = `*` in the day fields; JAN-DEC and SUN-SAT in any case; day-of-week 7 = Sunday;
 * - `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`;
 * - an optional `CRON_TZ=Zone ` or `TZ=Zone ` prefix, which beats `options.timezone`;
 *   the default zone is UTC.
 *
 * When both day fields are restricted (neither is `*` or `?`), a day matching either one
 * matches (Vixie cron); otherwise both must.
 *
 * DST rules, in the schedule's zone:
 * - spring forward: an occurrence whose wall time does not exist fires once at the first
 *   instant after the gap (the transition); several such occurrences collapse into that one
 *   firing, and a real occurrence at the same instant is not fired twice;
 * - fall back: a wall time that occurs twice fires at its first instance only, unless the
 *   hour field matches every hour (`*`), in which case it fires at both (`*\/15 * * * *`
 *   keeps firing every 15 real minutes; `30 1 * * *` fires once);
 * - occurrences are strictly increasing.
 *
 * Results are memoised by (text, timezone option).
 *
 * @throws SyntaxProblem naming the field and the problem, e.g. `hour 24 out of range 0-23`.
 * @example
 * const weekdays = parseCron('0 9 * * MON-FRI', { timezone: 'Europe/London' });
 * weekdays.next(Date.parse('2025-01-10T09:00:00Z')); // Monday 2025-01-13T09:00:00Z
 * parseCron('CRON_TZ=America/New_York 0 30 2 * * *').timezone; // "America/New_York"
 */
export function parseCron(text: string, options: { timezone?: string } = {}): CronSchedule {
  const key = `${options.timezone ?? ''}\n${text}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const schedule = compile(text, options.timezone);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, schedule);
  return schedule;
}

function compile(text: string, timezoneOption: string | undefined): CronSchedule {
  let body = text.trim();
  let timezone: string;
  const prefix = PREFIX.exec(body);
  if (prefix !== null) {
    const zone = prefix[2] ?? '';
    if (zone === '') throw new SyntaxProblem(`${prefix[1]}= needs a time zone name, e.g. "${prefix[1]}=Europe/London 0 9 * * *"`);
    timezone = assertTimeZone(zone);
    body = body.slice(prefix[0].length);
    if (body === '') throw new SyntaxProblem(`"${text}" has a time zone but no cron expression after it`);
  } else {
    timezone = timezoneOption === undefined ? 'UTC' : assertTimeZone(timezoneOption);
  }
  if (body === '') throw new SyntaxProblem('empty cron expression');
  if (body.startsWith('@')) {
    const expansion = DESCRIPTORS.get(body);
    if (expansion !== undefined) body = expansion;
    else if (body.startsWith('@every')) {
      throw new SyntaxProblem(`"${body}" is an interval, not a cron expression; it is only accepted as a Dapr schedule`);
    } else {
      throw new SyntaxProblem(`unknown descriptor "${body}"; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly`);
    }
  }
  const fields = body.split(/\s+/);
  if (fields.length === 5) fields.unshift('0');
  if (fields.length !== 6) {
    throw new SyntaxProblem(`found ${fields.length} fields in "${body}"; expected ${FIVE_FIELDS} or ${SIX_FIELDS}`);
  }
  const specs = [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
  const parsed = fields.map((field, i) => parseField(field, specs[i] as FieldSpec));
  return new CompiledCron(text, timezone, parsed);
}
