/**
 * The jobs list's `cursor`: where the next page starts, opaque to clients. It carries the order
 * it was made for with the store's keyset (the last row's sort value and tie-breaker), as
 * base64url JSON, so a cursor used with another `order_by`/`order_dir` is refused rather than
 * read as a position in the wrong order. Like the Dapr list's `next_cursor` (a name), it means
 * "strictly after this row", so rows added or removed before it do not shift the pages.
 */
import { invalidField } from '../../core/errors.js';
import type { JobKeyset, JobOrderField, SortDirection } from '../../store/store.js';

type CursorBody = [order: JobOrderField, dir: SortDirection, value: string | number | null, tie: string | number];

export function encodeJobCursor(orderBy: JobOrderField, dir: SortDirection, keyset: JobKeyset): string {
  const body: CursorBody = [orderBy, dir, keyset.value, keyset.tie];
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The keyset in `cursor`, or FIELD_INVALID naming `cursor` (not one of ours, or for another order). */
export function decodeJobCursor(cursor: string, orderBy: JobOrderField, dir: SortDirection): JobKeyset {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidField('cursor', 'not a cursor this list returned (use next_cursor as given)');
  }
  // Status orders by text, every other order by a number (NULL for a job not started yet).
  const valueOk = (v: unknown) => (body as unknown[])[0] === 'status' ? typeof v === 'string' : v === null || (typeof v === 'number' && Number.isFinite(v));
  if (!Array.isArray(body) || body.length !== 4 || !valueOk(body[2]) || !isKey(body[3])) {
    throw invalidField('cursor', 'not a cursor this list returned (use next_cursor as given)');
  }
  if (body[0] !== orderBy || body[1] !== dir) {
    throw invalidField('cursor', `was made for order_by=${String(body[0])}&order_dir=${String(body[1])}; ask with the same order`);
  }
  return { value: body[2] as JobKeyset['value'], tie: body[3] };
}

const isKey = (v: unknown): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
