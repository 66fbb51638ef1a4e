/**
 * The Dapr-style HTTP body (both dialects) → the DaprJobSpec the service takes. Dapr's HTTP
 * API accepts each field in camelCase or snake_case; only the shape changes here, every rule
 * lives in buildDaprJob (services/dapr-job-spec.ts).
 */
import { invalidField } from '../../core/errors.js';
import { unwrapProtobufValue } from '../../core/job-data.js';
import type { DaprJobSpec } from '../../services/dapr-job-spec.js';

/** snake_case spellings Dapr's HTTP API also accepts, mapped to the camelCase ones. */
const SNAKE_TO_CAMEL: Record<string, string> = {
  due_time: 'dueTime',
  failure_policy: 'failurePolicy',
  missed_fire_policy: 'missedFirePolicy',
  max_retries: 'maxRetries',
  initial_interval: 'initialInterval',
  max_interval: 'maxInterval',
  on_failure: 'onFailure',
  on_success: 'onSuccess',
};

/** Folds snake_case keys into camelCase; both spellings of one field is a 400. */
export function foldFieldNames(body: Record<string, unknown>, path = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const camel = SNAKE_TO_CAMEL[key] ?? key;
    if (camel in out) throw invalidField(`${path}${camel}`, `given twice (as ${camel} and ${key}); use one`);
    const nested = camel === 'failurePolicy' || path.startsWith('failurePolicy');
    out[camel] =
      nested && value !== null && typeof value === 'object' && !Array.isArray(value)
        ? foldFieldNames(value as Record<string, unknown>, `${path}${camel}.`)
        : value;
  }
  return out;
}

/** A job body read: the spec, plus the two fields the routes decide on themselves. */
export interface DaprJobBodyRead {
  /** A name in the body (refused: the name goes in the URL). */
  name?: unknown;
  overwrite: boolean;
  spec: DaprJobSpec;
}

/** The body of `POST /v1.0/jobs/:name` or `/v1.0-alpha1/jobs/:name` (validated by its schema). */
export function daprJobFromBody(body: Record<string, unknown> | undefined): DaprJobBodyRead {
  const { name, overwrite, ...rest } = foldFieldNames(body ?? {});
  const spec = rest as DaprJobSpec;
  if ('data' in spec) spec.data = unwrapProtobufValue(spec.data);
  return { name, overwrite: overwrite === true, spec };
}
