/**
 * A server that cannot start says why in one line and exits non-zero (docs/operations.md,
 * "Exit codes"), so a supervisor never takes a half-started process for a healthy one.
 */
import { ChimeError } from '../core/errors.js';
import { redactSecrets } from './logger.js';

/** Process exit codes of `chime serve` and `chime worker`. */
export const EXIT_CODES = {
  ok: 0,
  /** An unexpected error (a bug): the message and stack are on stderr. */
  crashed: 1,
  /** A flag or environment variable is invalid. */
  badOptions: 2,
  /** The HTTP port could not be bound (in use, or not allowed). */
  cannotListen: 3,
  /** The store did not answer within the start-up retries. */
  storeUnavailable: 4,
  /** The store answered but could not be opened: a migration failed, or its data is newer than this Chime. */
  storeUnusable: 5,
} as const;

export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(redactSecrets(message), options);
  }
}

/** The start-up error for a failed `listen`. */
export function listenError(error: unknown, host: string, port: number): StartupError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const why =
    code === 'EADDRINUSE'
      ? `port ${port} is already in use (EADDRINUSE); pick another with --port or stop the other process`
      : code === 'EACCES'
        ? `not allowed to bind port ${port} (EACCES)`
        : code === 'EADDRNOTAVAIL'
          ? `no interface has the address ${host} (EADDRNOTAVAIL)`
          : String((error as Error)?.message ?? error);
  return new StartupError(`cannot listen on ${host}:${port}: ${why}`, EXIT_CODES.cannotListen, { cause: error });
}

/**
 * Opens the store, retrying while it is unreachable (it may start alongside Chime) with
 * doubling waits from 250 ms, `attempts` times in all; any other failure (a migration) at once.
 */
export async function openStoreOrExplain(
  open: () => Promise<void>,
  describe: string,
  onRetry: (error: unknown, waitMs: number) => void,
  attempts = 6,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await open();
      return;
    } catch (error) {
      const unavailable = error instanceof ChimeError && error.code === 'STORE_UNAVAILABLE';
      if (!unavailable) {
        throw new StartupError(`cannot open the store ${describe}: ${(error as Error)?.message ?? String(error)}`, EXIT_CODES.storeUnusable, { cause: error });
      }
      if (attempt >= attempts) {
        throw new StartupError(`the store ${describe} is unreachable after ${attempts} attempts: ${error.message}`, EXIT_CODES.storeUnavailable, { cause: error });
      }
      const waitMs = 250 * 2 ** (attempt - 1);
      onRetry(error, waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
