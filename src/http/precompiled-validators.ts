/**
 * Route validators compiled at build time. Ajv turns a schema into a validator by generating
 * JavaScript and compiling it; for one of Chime's route schemas that took a few ms, and for the
 * first in a process, which also compiles Ajv's meta-schema, over 100 ms: a fresh server's
 * first request waited for it (docs/benchmarks.md, "A fresh server's first request"). The
 * build writes every route's validator as source once (Ajv's standalone code,
 * `scripts/precompile-validators.mjs`), a file per validator in `route-validators/` beside this
 * module; at run time a route's first request loads its own file from there instead of
 * compiling (one file per validator: all 74 in one module took ~8 ms to load on the first
 * request, most of it compiling the others' code).
 *
 * Each validator is keyed by a hash of its schema and of which Ajv (body or text) it is for, so a
 * schema changed since the build finds no file and is compiled at run time as before: a stale
 * build costs time, never a wrong answer. Without the folder (running from src/), everything is
 * compiled at run time.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Options, ValidateFunction } from 'ajv';

/** Bodies are JSON and never coerced; query strings and params arrive as text and are. */
export type ValidatorKind = 'body' | 'text';

const COMMON: Options = { verbose: true, allErrors: false, removeAdditional: false, useDefaults: true, strict: false };
export const AJV_OPTIONS: Record<ValidatorKind, Options> = {
  body: { ...COMMON, coerceTypes: false },
  text: { ...COMMON, coerceTypes: 'array' },
};

/** The folder of the build's validators, beside this module: `<key>.cjs` each. */
export const PRECOMPILED_DIR = 'route-validators';

/** The key a validator is kept under (its file's name): the kind and a hash of the schema's JSON. */
export function validatorKey(schema: object, kind: ValidatorKind): string {
  return `${kind}_${createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 24)}`;
}

const load = createRequire(import.meta.url);

/** The build's validator for this schema, or undefined (no such file: a schema it did not see, or no build). */
export function precompiledValidator(schema: object, kind: ValidatorKind): ValidateFunction | undefined {
  try {
    return load(`./${PRECOMPILED_DIR}/${validatorKey(schema, kind)}.cjs`) as ValidateFunction;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}
