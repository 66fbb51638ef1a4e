import { Type, type StringOptions, type TUnsafe } from '@sinclair/typebox';
import { INPUT_LIMITS } from '../../core/input-limits.js';

/** A string enum as JSON Schema `enum` (one clear error, "must be one of ..."), typed as the union. */
export function stringEnum<T extends string>(values: readonly T[], options: { description?: string; default?: NoInfer<T> } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

/** A short text field, bounded by INPUT_LIMITS.textLength. */
export const Text = (options: StringOptions = {}) => Type.String({ maxLength: INPUT_LIMITS.textLength, ...options });

/** Page size of every list route. */
export const PageLimit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

/** List offset of every paged route, bounded (1e308 and Infinity are integers to JSON Schema). */
export const Offset = Type.Integer({ minimum: 0, maximum: INPUT_LIMITS.maxOffset, default: 0 });

/** A count of firings or attempts. */
export const Count = (description?: string) => Type.Integer({ minimum: 0, maximum: INPUT_LIMITS.maxCount, description });

/** A number of seconds (`timeout`, `retry_delay`). */
export const Seconds = (description: string) => Type.Number({ minimum: 0, maximum: INPUT_LIMITS.maxSeconds, description });

/** A job's timeout in seconds: at least INPUT_LIMITS.minTimeoutSeconds (0 would always time out). */
export const Timeout = (description: string) =>
  Type.Number({ minimum: INPUT_LIMITS.minTimeoutSeconds, maximum: INPUT_LIMITS.maxSeconds, description });
