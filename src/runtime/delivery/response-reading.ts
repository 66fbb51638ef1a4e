/**
 * Reading the app's answer: at most RESPONSE_READ_BYTES of it (a target that streams a huge
 * or endless body cannot hold a connection or memory), and its Retry-After.
 */
import type { Dispatcher } from 'undici';

/** Bytes of an answer read before the rest is discarded. */
export const RESPONSE_READ_BYTES = 64 * 1024;
/** Bytes of an answer kept in the firing history. */
export const RESPONSE_KEPT_BYTES = 1024;
/** A Retry-After further out than this is capped: a retry a day later is still a retry. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** The answer's first bytes as text; the connection is given up if more is left. */
export async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= RESPONSE_READ_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks, Math.min(size, RESPONSE_READ_BYTES)).toString('utf8');
}

/**
 * Milliseconds a Retry-After header asks to wait: delay-seconds or an HTTP date; undefined
 * when absent or unreadable.
 *
 * @example
 * retryAfterMs('2', now) // 2000
 */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
