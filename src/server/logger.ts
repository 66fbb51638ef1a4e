/** A small leveled logger writing one line per event to stderr. */
import { ChimeError } from '../core/errors.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * The same line again within this long is counted, not written: while the store is down every
 * claim, lease extension and poll fails the same way, and one line says it.
 */
const REPEAT_WINDOW_MS = 10_000;

export interface Logger {
  log(level: LogLevel, message: string, error?: unknown): void;
}

/**
 * Chime's own errors (a store that is unreachable, say) are expected conditions with a full
 * message; their stack says nothing more. Anything else is a bug and keeps its stack.
 */
function describe(error: unknown): string {
  if (error === undefined) return '';
  if (error instanceof ChimeError) return `: ${error.message}`;
  return `: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  clock: () => number = Date.now,
): Logger {
  const recent = new Map<string, { at: number; repeats: number }>();
  return {
    log(at, message, error) {
      if (RANK[at] > RANK[level]) return;
      const line = `${at.toUpperCase()} ${message}${describe(error)}`;
      const now = clock();
      const seen = recent.get(line);
      if (seen && now - seen.at < REPEAT_WINDOW_MS) {
        seen.repeats++;
        return;
      }
      if (recent.size >= 1000) recent.clear();
      recent.set(line, { at: now, repeats: 0 });
      const repeated = seen && seen.repeats > 0 ? ` (and ${seen.repeats} more like it since the last such line)` : '';
      write(`${new Date(now).toISOString()} ${line}${repeated}\n`);
    },
  };
}
