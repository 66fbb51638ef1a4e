/**
 * The fields of a cron expression: each field's range and names, parsing one field into its
 * allowed values, and the lookup tables the next-occurrence search (cron.ts) steps through.
 */
import { SyntaxProblem } from './errors.js';

export interface FieldSpec {
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

export const SECOND: FieldSpec = { name: 'second', min: 0, max: 59, openMax: 59 };
export const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59, openMax: 59 };
export const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23, openMax: 23 };
export const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31, openMax: 31, dayField: true };
export const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, openMax: 12, names: MONTH_NAMES };
// `*` and `1/2` stop at 6 so Sunday is not produced twice or by surprise; 7 only when written.
export const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 0, max: 7, openMax: 6, names: WEEKDAY_NAMES, dayField: true };

export const DESCRIPTORS: ReadonlyMap<string, string> = new Map([
  ['@yearly', '0 0 0 1 1 *'],
  ['@annually', '0 0 0 1 1 *'],
  ['@monthly', '0 0 0 1 * *'],
  ['@weekly', '0 0 0 * * 0'],
  ['@daily', '0 0 0 * * *'],
  ['@midnight', '0 0 0 * * *'],
  ['@hourly', '0 0 * * * *'],
]);

export const FIVE_FIELDS = '5 (minute hour day-of-month month day-of-week)';
export const SIX_FIELDS = '6 (second minute hour day-of-month month day-of-week)';
const NUMBER = /^\d+$/;
/** Quartz extensions: last day (L), nearest weekday (W); `#` is checked separately. */
const QUARTZ = /^(?:L|LW|L-\d+|\d+[LW]|[A-Za-z]{3}L|W)$/i;

export interface ParsedField {
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

export function parseField(text: string, spec: FieldSpec): ParsedField {
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
export function nextTable(values: Uint8Array): Int8Array {
  const table = new Int8Array(values.length + 1).fill(-1);
  for (let v = values.length - 1; v >= 0; v--) table[v] = values[v] === 1 ? v : (table[v + 1] ?? -1);
  return table;
}

export function bitMask(values: Uint8Array): number {
  let mask = 0;
  for (let v = 0; v < values.length; v++) if (values[v] === 1) mask |= 1 << v;
  return mask;
}
