import { Type, type TUnsafe } from '@sinclair/typebox';

/** A string enum as JSON Schema `enum` (one clear error, "must be one of ..."), typed as the union. */
export function stringEnum<T extends string>(values: readonly T[], options: { description?: string; default?: NoInfer<T> } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}
