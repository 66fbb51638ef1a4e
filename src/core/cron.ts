/**
 * Cron expressions as Dapr accepts them (robfig/cron grammar): 5 or 6 fields, descriptors,
 * an optional `CRON_TZ=`/`TZ=` prefix, and the next occurrence in the schedule's time zone.
 */

import {
  SECOND,
  MINUTE,
  HOUR,
  DAY_OF_MONTH,
  MONTH,
  DAY_OF_WEEK,
  DESCRIPTORS,
  FIVE_FIELDS,
  SIX_FIELDS,
  parseField,
  nextTable,
  bitMask,
  type FieldSpec,
  type ParsedField,
} from './cron-fields.js';
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
