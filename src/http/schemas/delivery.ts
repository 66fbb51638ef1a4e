/** Schemas of the per-job delivery fields (Chime extension), shared by both API families. */
import { Type } from '@sinclair/typebox';
import { BODY_SHAPES, TARGET_METHODS } from '../../core/delivery-spec.js';
import { stringEnum } from './common.js';

export const DeliveryTarget = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'Absolute http(s) URL; must pass the outbound allowlist (--allow-target).' }),
    method: Type.Optional(stringEnum(TARGET_METHODS, { description: 'Default POST.' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra request headers (not webhook-*, chime-*, dapr-api-token).' })),
    body: Type.Optional(
      stringEnum(BODY_SHAPES, { description: 'envelope (seed 000 {"job_name","data",...}, default), data (the bare data, as Dapr sends it) or raw (a string data as its characters).' }),
    ),
    timeout: Type.Optional(
      Type.Union([Type.String(), Type.Number({ minimum: 0 })], { description: 'Per-attempt timeout: Go duration ("30s") or seconds; default JOB_TIMEOUT.' }),
    ),
  },
  { additionalProperties: false, description: "Chime extension: where this job's callback goes instead of the app URL." },
);

export const HookUrl = (when: 'failure' | 'success') =>
  Type.String({
    minLength: 1,
    maxLength: 2048,
    description:
      when === 'failure'
        ? 'Chime extension: URL called (signed, retried) when the job fails for good (dead-lettered, or a task failed).'
        : 'Chime extension: URL called (signed, retried) when an attempt succeeds.',
  });
