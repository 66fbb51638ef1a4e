/**
 * The one error registry. Every failure a client can see has a stable code here, an HTTP
 * status and a message template; backends and routes map their failures into these so all
 * backends answer alike. `docs/errors.md` documents every code (a test checks that).
 * The message templates are in `error-messages.ts`; `chimeError` builds an error from one.
 */
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import { MESSAGES, type MessageId, type MessageParams, type MessageSpec } from './error-messages.js';

export { MESSAGES, type MessageId, type MessageParams } from './error-messages.js';

export { ERROR_CODES, type ErrorCode, type ErrorSpec } from './error-codes.js';

/** An error a client may see. `field` names the offending request field, when there is one. */
export class ChimeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  /** The template it was made from (`chimeError`), with its parameters; absent for a free-text message. */
  readonly template: { id: MessageId; params: Readonly<Record<string, string | number>> } | undefined;

  constructor(code: ErrorCode, message: string, options: ChimeErrorOptions & { template?: ChimeError['template'] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChimeError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.field = options.field;
    this.template = options.template;
  }
}

export interface ChimeErrorOptions {
  /** The request field at fault; defaults to the template's own `field`. */
  field?: string;
  cause?: unknown;
}

/**
 * The error a message template describes (fastify's `createError`, one table instead of one
 * constructor each): `chimeError('JOB_NOT_CANCELLABLE', { id, status })`. The code (and so
 * the HTTP status) and the text come from `MESSAGES`; the caller gives only the parameters,
 * so every backend and route says the same thing the same way.
 */
export function chimeError<M extends MessageId>(id: M, params: MessageParams<M>, options: ChimeErrorOptions = {}): ChimeError {
  const spec: MessageSpec = MESSAGES[id];
  const values = params as Readonly<Record<string, string | number>>;
  const field = options.field ?? spec.field;
  return new ChimeError(spec.code, formatMessage(spec.template, values), {
    ...(field === undefined ? {} : { field }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    template: { id, params: values },
  });
}

/** The message of a template with its parameters filled in (`{name}` → the value of `name`). */
export function formatMessage(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export function isMessageId(id: string): id is MessageId {
  return Object.hasOwn(MESSAGES, id);
}

/** A 400 naming the field: `invalidField('repeats', 'must be 0 or more')` → "repeats: must be 0 or more". */
export function invalidField(field: string, problem: string): ChimeError {
  return chimeError('FIELD_INVALID', { field, problem }, { field });
}

export function isChimeError(error: unknown): error is ChimeError {
  return error instanceof ChimeError;
}

/**
 * Raised by the schedule-maths parsers (durations, timestamps, cron). Carries only the
 * problem; the caller knows which field it parsed and wraps it with `invalidField`.
 */
export class SyntaxProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyntaxProblem';
  }
}

/** Runs a parser and turns its SyntaxProblem into a 400 that names `field`. */
export function parseField<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SyntaxProblem) throw invalidField(field, error.message);
    throw error;
  }
}
