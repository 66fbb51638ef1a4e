import { createHash } from 'node:crypto';
import { invalidField } from '../../core/errors.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database` (any libpq-style URL `pg` accepts). */
  connectionString: string;
  /**
   * The schema holding Chime's tables; several deployments can share a database by schema.
   * Created on open if missing.
   * @default 'chime'
   */
  schema?: string;
  /** Pooled connections for queries; the LISTEN connection and up to two for claims come on top. @default 10 */
  poolSize?: number;
  /**
   * Claims use LEAST(caller's now, database clock) so no node fires early by the database's
   * clock. Tests on a virtual clock in 2030 turn it off.
   * @default true
   */
  useStoreClock?: boolean;
}

/** The options after validation, with every name derived from the schema computed once. */
export interface ResolvedPostgresOptions {
  connectionString: string;
  schema: string;
  /** The schema as a quoted identifier, ready to prefix table names. */
  qualifier: string;
  poolSize: number;
  useStoreClock: boolean;
  /** The LISTEN/NOTIFY channel of this schema. */
  channel: string;
  /** The key of the transaction-level advisory lock that serialises migrations of this schema. */
  migrationLockKey: string;
}

/** PostgreSQL truncates identifiers (and channel names) to 63 bytes. */
const MAX_IDENTIFIER_BYTES = 63;

export function resolvePostgresOptions(options: PostgresStoreOptions): ResolvedPostgresOptions {
  const schema = options.schema ?? 'chime';
  // Plain identifiers only: the schema is spliced into SQL text, so no quoting games.
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema) || schema.length > MAX_IDENTIFIER_BYTES) {
    throw invalidField('schema', 'must be a plain identifier (letters, digits, _) of at most 63 characters');
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw invalidField('poolSize', 'must be an integer of at least 1');
  if (!options.connectionString) throw invalidField('connectionString', 'is required');
  const digest = createHash('sha256').update(`chime:${schema}`).digest();
  const suffix = '_due';
  const channel =
    schema.length + suffix.length <= MAX_IDENTIFIER_BYTES
      ? `${schema}${suffix}`
      : `${schema.slice(0, MAX_IDENTIFIER_BYTES - suffix.length - 9)}_${digest.toString('hex').slice(0, 8)}${suffix}`;
  return {
    connectionString: options.connectionString,
    schema,
    qualifier: `"${schema}"`,
    poolSize,
    useStoreClock: options.useStoreClock ?? true,
    channel,
    migrationLockKey: digest.readBigInt64BE(0).toString(),
  };
}
