/** How every client command runs its body; shared so the command files need not import each other. */
import { describeError, type CliIo } from './output.js';

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
