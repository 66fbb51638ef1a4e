/**
 * Request validation: one Ajv for bodies that never coerces (a string "3" for `repeats` is a
 * wrong type, a 400), and one for query strings and params that coerces (everything there
 * arrives as text). Errors become 400s naming the field.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { invalidField } from '../core/errors.js';

const strict = new Ajv({ verbose: true, coerceTypes: false, allErrors: false, removeAdditional: false, useDefaults: true, strict: false });
const coercing = new Ajv({ verbose: true, coerceTypes: 'array', allErrors: false, removeAdditional: false, useDefaults: true, strict: false });

const compile: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object);
};

export function installValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(compile);
  app.setSchemaErrorFormatter((errors, dataVar) => fieldError(errors[0] as ErrorObject | undefined, dataVar));
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
    case 'type':
      return invalidField(path || dataVar, `must be ${article(String(params.type))}`);
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
