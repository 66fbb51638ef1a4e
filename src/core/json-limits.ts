/**
 * The check every parsed JSON body (and the path parameters and query) passes before
 * validation, on HTTP (http/server.ts) and gRPC (the job data, grpc/dapr-job-wire.ts): nesting no deeper than INPUT_LIMITS.jsonDepth, and every string and key
 * well-formed Unicode without U+0000. It walks the value
 * with an explicit stack, so a body nested thousands of levels deep is refused with a 400
 * instead of overflowing the stack of the recursive code after it (Ajv, JSON.stringify, the
 * store drivers), and a lone surrogate is refused instead of being stored as another text.
 */
import { invalidField } from './errors.js';
import { INPUT_LIMITS, isWellFormed } from './input-limits.js';

/** Fields whose value is free-form JSON: a problem inside one is reported as that field. */
const FREE_FORM_FIELDS = new Set(['data', 'args', 'kwargs', 'metadata', 'failurePolicy', 'failure_policy', 'result']);

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | null;
  key: string;
}

/** Throws INVALID_ARGUMENT naming the field when `body` (or the params or query) breaks a limit. */
export function checkBody(body: unknown): void {
  const stack: Frame[] = [{ value: body, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value } = frame;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem !== null) throw invalidField(fieldOf(frame), problem);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const depth = frame.depth + 1;
    if (depth > INPUT_LIMITS.jsonDepth) {
      throw invalidField(fieldOf(frame), `nested more than ${INPUT_LIMITS.jsonDepth} levels deep (the limit)`);
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth, parent: frame, key: String(i) });
    } else {
      for (const [key, child] of Object.entries(value)) {
        const entry: Frame = { value: child, depth, parent: frame, key };
        const problem = textProblem(key);
        if (problem !== null) throw invalidField(fieldOf(entry), `has a key that is not a storable text: ${problem}`);
        stack.push(entry);
      }
    }
  }
}

/**
 * Texts every store can hold: well-formed Unicode, and no U+0000 (PostgreSQL's text and
 * jsonb refuse it; accepting it on the other stores would make the backends disagree).
 */
function textProblem(text: string): string | null {
  if (!isWellFormed(text)) return 'must be well-formed Unicode (it holds a lone UTF-16 surrogate)';
  if (text.includes('\u0000')) return 'must not contain control character U+0000';
  return null;
}

/**
 * The field to name: the path down to the first free-form field (`jobs.3.kwargs`), or the
 * full path when there is none (a name field), or `body` for the body itself.
 */
function fieldOf(frame: Frame): string {
  const path: string[] = [];
  for (let f: Frame | null = frame; f !== null && f.parent !== null; f = f.parent) path.push(f.key);
  path.reverse();
  const freeForm = path.findIndex((key) => FREE_FORM_FIELDS.has(key));
  const kept = freeForm >= 0 ? path.slice(0, freeForm + 1) : path.slice(0, 8);
  return kept.length === 0 ? 'body' : kept.join('.');
}
