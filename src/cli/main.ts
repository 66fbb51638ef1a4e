/** The `chime` command line. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerJobsCommand } from './jobs-command.js';
import { processIo, type CliIo } from './output.js';
import { registerPlatformAdminCommands } from './platform-admin-command.js';
import { addServeFlags, serve, work, WORKER_FLAG_ALIASES, WORKER_OPTION_KEYS } from './serve-command.js';
import { registerTokenCommand } from './token-command.js';

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code = 0;
  const setCode = (value: number): void => {
    code = value;
  };
  const program = new Command('chime')
    .description('Exact-time job scheduler: Dapr-style Jobs API, /api/v1 job platform, SQLite, PostgreSQL or Redis')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  addServeFlags(program.command('serve').description('run the scheduler and its HTTP API')).action(async (flags: Record<string, string>) => {
    code = await serve(flags, io);
  });
  const worker = program.command('worker').description('run tasks from a shared store (no HTTP)');
  addServeFlags(worker, WORKER_OPTION_KEYS, WORKER_FLAG_ALIASES).action(async (flags: Record<string, string>) => {
    code = await work(flags, io);
  });
  registerJobsCommand(program, io, setCode);
  registerPlatformAdminCommands(program, io, setCode);
  registerTokenCommand(program, io, setCode);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return code;
}
