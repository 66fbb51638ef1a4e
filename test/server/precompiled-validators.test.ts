/**
 * Route validators compiled by the build (src/http/precompiled-validators.ts,
 * scripts/precompile-validators.mjs) against those Ajv compiles at run time: the build saw every
 * route the server registers, and each precompiled validator answers generated requests as the
 * run-time one does (verdict, errors, defaults filled in), so a route's first request is judged
 * the same whichever it gets.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AJV_OPTIONS, PRECOMPILED_DIR, precompiledValidator, validatorKey, type ValidatorKind } from '../../src/http/precompiled-validators.js';
import { routeSchemas } from '../../src/http/validation.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { valueFor } from '../support/openapi-arbitraries.js';
import { startTestServer } from '../support/server.js';

const DIST_HTTP = new URL('../../dist/http/', import.meta.url);
const BUILT_DIR = fileURLToPath(new URL(`${PRECOMPILED_DIR}/`, DIST_HTTP));
/** The build's validator for a key, by its file in dist/. */
const built = (key: string): ValidateFunction | undefined =>
  existsSync(join(BUILT_DIR, `${key}.cjs`)) ? (createRequire(import.meta.url)(join(BUILT_DIR, `${key}.cjs`)) as ValidateFunction) : undefined;
const RUNS_PER_SCHEMA = 150;

/** Query strings and path parameters arrive as text: the generated values, as text. */
const asText = (value: unknown): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([key, v]) => [key, Array.isArray(v) ? v.map(String) : typeof v === 'object' ? JSON.stringify(v) : String(v)]))
    : value;

const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null)) as unknown;

describe('route validators compiled by the build', () => {
  let server: ChimeServer;
  let schemas: { schema: object; kind: ValidatorKind }[];

  beforeAll(async () => {
    server = await startTestServer();
    schemas = routeSchemas(server.app);
  });

  afterAll(async () => {
    await server.close();
  });

  it('include every route schema the server registers', () => {
    expect(schemas.length).toBeGreaterThan(50);
    const missing = schemas.filter(({ schema, kind }) => typeof built(validatorKey(schema, kind)) !== 'function');
    expect(missing.map(({ schema }) => JSON.stringify(schema).slice(0, 120))).toEqual([]);
    // And nothing else: the build writes a fresh folder.
    const keys = new Set(schemas.map(({ schema, kind }) => `${validatorKey(schema, kind)}.cjs`));
    expect(readdirSync(BUILT_DIR).filter((file) => !keys.has(file))).toEqual([]);
  });

  it('answer generated requests as the validators Ajv compiles at run time', () => {
    const unique = new Map(schemas.map((entry) => [validatorKey(entry.schema, entry.kind), entry]));
    for (const [key, { schema, kind }] of unique) {
      const atRunTime = new Ajv(AJV_OPTIONS[kind]).compile(schema);
      const precompiled = built(key)!;
      const input = kind === 'text' ? fc.oneof(valueFor(schema), valueFor(schema).map(asText)) : valueFor(schema);
      fc.assert(
        fc.property(input, (value) => {
          const [mine, theirs] = [structuredClone(value), structuredClone(value)];
          expect(precompiled(mine), key).toBe(atRunTime(theirs));
          // As JSON: the run-time errors' schemas carry TypeBox's symbol keys, the built ones' are literals.
          expect(asJson(precompiled.errors), key).toEqual(asJson(atRunTime.errors));
          expect(mine, `${key}: defaults filled in`).toEqual(theirs);
        }),
        { numRuns: RUNS_PER_SCHEMA },
      );
    }
  });

  it('are looked up by schema and kind, and a schema the build did not see is left to run time', async () => {
    const fromDist = (await import(new URL('precompiled-validators.js', DIST_HTTP).href)) as { precompiledValidator: typeof precompiledValidator };
    const { schema, kind } = schemas.find((entry) => entry.kind === 'body')!;
    expect(fromDist.precompiledValidator(schema, kind)).toBe(built(validatorKey(schema, kind)));
    expect(fromDist.precompiledValidator(schema, 'text')).toBeUndefined();
    expect(fromDist.precompiledValidator({ ...schema, description: 'changed since the build' }, kind)).toBeUndefined();
    // From src/ there is no built file beside the module: every validator compiles at run time.
    expect(precompiledValidator(schema, kind)).toBeUndefined();
  });
});
