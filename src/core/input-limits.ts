/**
 * Every bound on request input, declared once. The route schemas take their `maximum`s and
 * `maxLength`s from here, the body check (src/core/json-limits.ts) its depth, and
 * docs/security.md lists the same table. A value past a limit is a 400 naming the field and
 * the limit, never a 500 from deep inside a parser or a database driver.
 */

const YEAR_SECONDS = 365 * 24 * 3600;

export const INPUT_LIMITS = {
  /**
   * Nesting depth of a JSON body (objects and arrays). Free-form fields (`data`, `args`,
   * `kwargs`, `metadata`, `failurePolicy`) are stored as JSON text and handed back to apps;
   * 32 levels is far more than any payload needs, and far below the few thousand levels at
   * which recursive code (Ajv, JSON.stringify, drivers) overflows the stack.
   */
  jsonDepth: 32,
  /** Characters in a job name (Dapr API), a schedule name, a task name. */
  jobNameLength: 512,
  /** Characters in a short free-text field: a schedule string, a date, a cursor, a filter. */
  textLength: 1000,
  /** List offsets (`offset`): deeper than this nobody pages; past it SQLite's integer range is near. */
  maxOffset: 1_000_000_000,
  /** Ids used as cursors (`before`): any safe integer. */
  maxId: Number.MAX_SAFE_INTEGER,
  /** `repeats`, `max_retries`: a count of firings or attempts. */
  maxCount: 2_147_483_647,
  /** Seconds fields (`timeout`, `retry_delay`): at most a year. */
  maxSeconds: YEAR_SECONDS,
  /** A job's `timeout`: less than a second is a typo (0 made every run-sync a 504). */
  minTimeoutSeconds: 1,
  /** An interval (seconds + minutes + hours + days): each part at most 100 years. */
  maxIntervalSeconds: 100 * YEAR_SECONDS,
} as const;

/**
 * The characters a job or schedule name may not hold: `/`, `#`, `?`, `|` (they break the
 * callback path `{app}/job/{name}` and the URL of the job) and control characters.
 */
export const NAME_FORBIDDEN = /[/#?|\u0000-\u001f\u007f]/u;

/**
 * What is wrong with `name` as a job or schedule name, or null when it is fine: empty,
 * too long, not well-formed Unicode (a lone UTF-16 surrogate cannot be stored as UTF-8, so
 * it would be saved under another name), `.` or `..` (a path segment that URL clients
 * rewrite), or a forbidden character.
 */
export function nameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'must not be empty';
  if (name.length > INPUT_LIMITS.jobNameLength) return `must be at most ${INPUT_LIMITS.jobNameLength} characters`;
  if (!isWellFormed(name)) return 'must be well-formed Unicode (it holds a lone UTF-16 surrogate)';
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  const bad = NAME_FORBIDDEN.exec(name);
  if (bad) {
    const char = bad[0];
    const shown = char < ' ' || char === '\u007f' ? `control character U+${char.charCodeAt(0).toString(16).padStart(4, '0')}` : `"${char}"`;
    return `must not contain ${shown}`;
  }
  return null;
}

/** `String.prototype.isWellFormed` (Node 20+): no lone surrogates. */
export function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}
