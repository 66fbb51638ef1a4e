/**
 * Request validation: one Ajv for bodies that never coerces (a string "3" for `repeats` is a
 * wrong type, a 400), and one for query strings and params that coerces (everything there
 * arrives as text). Errors become 400s naming the field.
 *
 * Each route's validator is compiled on the route's first request, not at start-up: Fastify
 * compiles every route's schemas before it listens, and Ajv's code generation for the ~100
 * route parts was the largest share of `chime serve`'s start (profiled: 587 ms of ~3.3 s CPU
 * on the busy 2-core box) for routes a given deployment may never call. A route's first
 * request takes its validator from those the build compiled (precompiled-validators.ts), or
 * compiles its own. `compileAllValidators` compiles the rest at once, so a test still proves
 * every schema compiles.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { invalidField } from '../core/errors.js';
import { AJV_OPTIONS, precompiledValidator, type ValidatorKind } from './precompiled-validators.js';

const ajvs: Record<ValidatorKind, Ajv> = { body: new Ajv(AJV_OPTIONS.body), text: new Ajv(AJV_OPTIONS.text) };

/** A validator that compiles its schema on first use; Fastify reads `.errors` after each call. */
interface LazyValidator {
  (...args: Parameters<ValidateFunction>): boolean;
  errors: ValidateFunction['errors'];
  compile(): ValidateFunction;
  readonly schema: object;
  readonly kind: ValidatorKind;
}

const pendingByApp = new WeakMap<FastifyInstance, LazyValidator[]>();

function lazyValidator(schema: object, kind: ValidatorKind): LazyValidator {
  let compiled: ValidateFunction | undefined;
  const compile = () => (compiled ??= precompiledValidator(schema, kind) ?? ajvs[kind].compile(schema));
  const validate = ((...args: Parameters<ValidateFunction>) => {
    const run = compile();
    const ok = run(...args) as boolean;
    validate.errors = run.errors;
    return ok;
  }) as LazyValidator;
  validate.errors = null;
  validate.compile = compile;
  return Object.assign(validate, { schema, kind });
}

export function installValidation(app: FastifyInstance): void {
  const pending: LazyValidator[] = [];
  pendingByApp.set(app, pending);
  const compile: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
    const validator = lazyValidator(schema as object, httpPart === 'body' ? 'body' : 'text');
    pending.push(validator);
    return validator;
  };
  app.setValidatorCompiler(compile);
  app.setSchemaErrorFormatter((errors, dataVar) => fieldError(errors[0] as ErrorObject | undefined, dataVar));
}

/** Compiles every route validator not yet compiled (a schema Ajv refuses throws); returns how many there are. */
export function compileAllValidators(app: FastifyInstance): number {
  const pending = pendingByApp.get(app) ?? [];
  for (const validator of pending) validator.compile();
  return pending.length;
}

/** Every route validator's schema and kind: what the build precompiles. */
export function routeSchemas(app: FastifyInstance): { schema: object; kind: ValidatorKind }[] {
  return (pendingByApp.get(app) ?? []).map(({ schema, kind }) => ({ schema, kind }));
}

/** "body/repeats must be integer" → "repeats: must be an integer". */
function fieldError(error: ErrorObject | undefined, dataVar: string) {
  if (!error) return invalidField(dataVar, 'is invalid');
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = [path, String(params.additionalProperty)].filter(Boolean).join('.');
      return invalidField(field, dataVar === 'querystring' ? 'unknown query parameter' : 'unknown field');
    }
    case 'required': {
      const field = [path, String(params.missingProperty)].filter(Boolean).join('.');
      return invalidField(field, 'is required');
    }
    case 'type': {
      const nullable = (error.parentSchema as { nullable?: boolean } | undefined)?.nullable === true;
      return invalidField(path || dataVar, `must be ${article(String(params.type))}${nullable ? ' or null' : ''}`);
    }
    case 'enum':
      return invalidField(path || dataVar, `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'pattern': {
      // The schema's description says in words what the pattern allows.
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return invalidField(path || dataVar, description ? `must match: ${description}` : (error.message ?? 'is invalid'));
    }
    default:
      return invalidField(path || dataVar, error.message ?? 'is invalid');
  }
}

function article(type: string): string {
  const readable = type.replace(/,/g, ' or ');
  return /^[aeiou]/.test(readable) ? `an ${readable}` : `a ${readable}`;
}
