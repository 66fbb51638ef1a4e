import { ChimeApiError } from '../client/http.js';

/** Where CLI commands write; swapped in tests. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** One line a human can act on, from any error a command raised. */
export function describeError(error: unknown): string {
  if (error instanceof ChimeApiError) return `error: ${error.detail} (HTTP ${error.status})`;
  const code = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if (code === 'ECONNREFUSED') return 'error: no Chime server answered; start one with `chime serve` or pass --server';
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

/** Wraps a command body: prints errors as one line and sets the exit code. */
export function action<A extends unknown[]>(io: CliIo, setCode: (code: number) => void, run: (...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await run(...args);
    } catch (error) {
      io.err(describeError(error));
      setCode(1);
    }
  };
}
