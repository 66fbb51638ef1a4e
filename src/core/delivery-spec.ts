/**
 * A job's own delivery (a Chime extension on both API families): where its callback goes
 * (`target`), and which URLs hear when it fails for good or succeeds (`onFailure`,
 * `onSuccess`, as Upstash QStash's callbacks). No I/O here; the outbound guard checks the
 * URLs against the allowlist before anything is written.
 */
import { invalidField, parseField } from './errors.js';
import { parseGoDuration } from './duration.js';

/**
 * What the request body is:
 * - `envelope`: seed 000's {"job_name","data","scheduled_time","actual_time"};
 * - `data`: the job's data as JSON, as the Dapr runtime delivers it;
 * - `raw`: the data itself: a JSON string is sent as its characters (no quotes), anything
 *   else as JSON.
 */
export const BODY_SHAPES = ['envelope', 'data', 'raw'] as const;
export type BodyShape = (typeof BODY_SHAPES)[number];

export const TARGET_METHODS = ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'] as const;
export type TargetMethod = (typeof TARGET_METHODS)[number];

export interface HttpTarget {
  /** Absolute http(s) URL the request goes to, as given. */
  url: string;
  method: TargetMethod;
  /** Extra request headers; Chime's own (signature, chime-*) cannot be overridden. */
  headers: Record<string, string>;
  body: BodyShape;
}

export interface DeliverySpec {
  /** null: the server's app URL and callback style. */
  target: HttpTarget | null;
  /** Called (signed, retried) when the job fails for good. null: the server-wide hook, if any. */
  onFailure: string | null;
  /** Called when an attempt succeeds. */
  onSuccess: string | null;
  /** Set on the jobs that deliver a hook: they never call hooks themselves. */
  hookOf?: string;
}

/** Headers a target may not set: Chime writes these itself, and a spoofed signature would defeat it. */
const RESERVED_HEADER = /^(webhook-|chime-|content-length$|host$|transfer-encoding$|connection$|dapr-api-token$)/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const MAX_HEADERS = 50;

/** A delivery spec and the per-attempt timeout its target names (null: the server default). */
export interface ParsedDelivery {
  delivery: DeliverySpec | null;
  timeoutMs: number | null;
}

/**
 * Reads `target`, `on_failure`/`onFailure` and `on_success`/`onSuccess` of a request.
 * `timeout` inside target is a Go duration ("30s") or a number of seconds.
 *
 * @example
 * parseDelivery({ url: 'https://api.example.com/hook', body: 'raw' }, undefined, undefined)
 */
export function parseDelivery(target: unknown, onFailure: unknown, onSuccess: unknown, field = 'target'): ParsedDelivery {
  let timeoutMs: number | null = null;
  let parsedTarget: HttpTarget | null = null;
  if (target !== undefined && target !== null) {
    if (typeof target !== 'object' || Array.isArray(target)) throw invalidField(field, 'must be an object such as {"url":"https://..."}');
    const t = target as Record<string, unknown>;
    for (const key of Object.keys(t)) {
      if (!['url', 'method', 'headers', 'body', 'timeout'].includes(key)) throw invalidField(`${field}.${key}`, 'unknown field; expected url, method, headers, body, timeout');
    }
    const method = t.method ?? 'POST';
    if (typeof method !== 'string' || !(TARGET_METHODS as readonly string[]).includes(method.toUpperCase())) {
      throw invalidField(`${field}.method`, `must be one of ${TARGET_METHODS.join(', ')}`);
    }
    const body = t.body ?? 'envelope';
    if (typeof body !== 'string' || !(BODY_SHAPES as readonly string[]).includes(body)) {
      throw invalidField(`${field}.body`, `must be one of ${BODY_SHAPES.join(', ')}`);
    }
    parsedTarget = { url: parseUrl(t.url, `${field}.url`), method: method.toUpperCase() as TargetMethod, headers: parseHeaders(t.headers, `${field}.headers`), body: body as BodyShape };
    if (t.timeout !== undefined) timeoutMs = parseTimeout(t.timeout, `${field}.timeout`);
  }
  const failure = onFailure === undefined || onFailure === null ? null : parseUrl(onFailure, 'on_failure');
  const success = onSuccess === undefined || onSuccess === null ? null : parseUrl(onSuccess, 'on_success');
  const delivery = parsedTarget || failure || success ? { target: parsedTarget, onFailure: failure, onSuccess: success } : null;
  return { delivery, timeoutMs };
}

function parseUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidField(field, 'must be an absolute http(s) URL');
  if (value.length > 2048) throw invalidField(field, 'must be at most 2048 characters');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidField(field, `"${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidField(field, 'must be an http or https URL');
  if (url.username || url.password) throw invalidField(field, 'must not carry credentials; put them in target.headers');
  return value;
}

function parseHeaders(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidField(field, 'must be an object of header names to strings');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) throw invalidField(field, `at most ${MAX_HEADERS} headers`);
  const headers: Record<string, string> = {};
  for (const [name, text] of entries) {
    if (!HEADER_NAME.test(name)) throw invalidField(`${field}.${name}`, 'is not a header name');
    if (RESERVED_HEADER.test(name)) throw invalidField(`${field}.${name}`, 'is set by Chime and cannot be given');
    if (typeof text !== 'string' || /[\r\n\0]/.test(text) || text.length > 8192) throw invalidField(`${field}.${name}`, 'must be a single-line string');
    headers[name.toLowerCase()] = text;
  }
  return headers;
}

function parseTimeout(value: unknown, field: string): number {
  let ms: number;
  if (typeof value === 'number') ms = Math.round(value * 1000);
  else if (typeof value === 'string') ms = parseField(field, () => parseGoDuration(value));
  else throw invalidField(field, 'must be a duration such as "30s" or a number of seconds');
  if (!(ms >= 1) || ms > 24 * 3_600_000) throw invalidField(field, 'must be between 1 ms and 24 h');
  return ms;
}

/** The spec as stored (JSON text), or null. */
export function serializeDelivery(spec: DeliverySpec | null | undefined): string | null {
  return spec === null || spec === undefined ? null : JSON.stringify(spec);
}

export function deserializeDelivery(text: string | null | undefined): DeliverySpec | null {
  return text === null || text === undefined || text === '' ? null : (JSON.parse(text) as DeliverySpec);
}

/** The spec as the APIs show it back (snake_case, the request's own spelling). */
export function deliveryView(spec: DeliverySpec | null, timeoutMs: number | null): Record<string, unknown> {
  if (!spec) return {};
  const view: Record<string, unknown> = {};
  if (spec.target) {
    // Header values often hold the target's credentials: shown by name only.
    const headers = Object.fromEntries(Object.keys(spec.target.headers).map((name) => [name, '[redacted]']));
    view.target = { ...spec.target, headers, ...(timeoutMs === null ? {} : { timeout: `${timeoutMs}ms` }) };
  }
  if (spec.onFailure) view.on_failure = spec.onFailure;
  if (spec.onSuccess) view.on_success = spec.onSuccess;
  return view;
}
