import type { Command } from 'commander';
import { ChimeError } from '../core/errors.js';
import { OptionError, resolveServerOptions, SERVE_OPTIONS, type RawOptions, type ServerOptions } from '../server/options.js';
import { startServer } from '../server/start-server.js';
import { startWorkerProcess } from '../server/start-worker.js';
import { StartupError } from '../server/startup-error.js';
import { addOptionFlags, flagList, rawValuesFrom, type FlagAlias } from './option-flags.js';
import type { CliIo } from './output.js';

/** The flags of `chime serve`, generated from SERVE_OPTIONS: [flag, option key, help]. */
export const SERVE_FLAGS = flagList(SERVE_OPTIONS);

/** The options `chime worker` takes (no HTTP, no callbacks), with the same environment variables. */
export const WORKER_OPTION_KEYS: readonly (keyof ServerOptions)[] = [
  'store',
  'tasks',
  'workerConcurrency',
  'workerPrefetch',
  'queues',
  'leaseMs',
  'missedFireThresholdMs',
  'retentionMs',
  'drainGraceMs',
  'nodeId',
  'dataDir',
  'logLevel',
  'eventsUrl',
  'eventsTypes',
  'failureHookUrl',
  'logFormat',
];

/** `chime worker --concurrency` is `--worker-concurrency`. */
export const WORKER_FLAG_ALIASES: readonly FlagAlias<typeof SERVE_OPTIONS>[] = [{ flag: '--concurrency <n>', key: 'workerConcurrency' }];

/** Adds the `chime serve` flags, or with `only` a subset (and aliases) of them. */
export function addServeFlags(command: Command, only?: readonly (keyof ServerOptions)[], aliases?: readonly FlagAlias<typeof SERVE_OPTIONS>[]): Command {
  return addOptionFlags(command, SERVE_OPTIONS, only, aliases);
}

/** Raw option values from commander's parse of `chime serve` or `chime worker` (its `--concurrency` too). */
export function rawOptionsFrom(flags: Record<string, unknown>): RawOptions {
  return rawValuesFrom(SERVE_OPTIONS, flags, WORKER_FLAG_ALIASES);
}

/** Options from flags and environment, or null after printing why they are wrong. */
export function optionsOrExplain(flags: Record<string, unknown>, io: CliIo, check?: (options: ServerOptions) => void): ServerOptions | null {
  try {
    const options = resolveServerOptions(rawOptionsFrom(flags));
    check?.(options);
    return options;
  } catch (error) {
    if (error instanceof ChimeError) { // OptionError is one
      io.err(`error: ${error.message}`);
      return null;
    }
    throw error;
  }
}

/** Runs the server until SIGTERM/SIGINT, then shuts down gracefully (a second signal forces exit). */
export async function serve(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = optionsOrExplain(flags, io);
  if (!options) return 2;
  const server = await explainStartup(() => startServer(options), io);
  if (typeof server === 'number') return server;
  await runUntilSignalled(server, io);
  return 0;
}

/** Starts a process, or prints the one-line reason it could not and returns its exit code. */
async function explainStartup<T>(start: () => Promise<T>, io: CliIo): Promise<T | number> {
  try {
    return await start();
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    io.err(`error: ${error.message}`);
    return error.exitCode;
  }
}

/** `chime worker`: runs tasks from the shared store until SIGTERM/SIGINT. */
export async function work(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = optionsOrExplain(flags, io, requireTasks);
  if (!options) return 2;
  const worker = await explainStartup(() => startWorkerProcess(options), io);
  if (typeof worker === 'number') return worker;
  await runUntilSignalled(worker, io);
  return 0;
}

function requireTasks(options: ServerOptions): void {
  if (!options.tasks) throw new OptionError('tasks: a worker needs --tasks <module> (or CHIME_TASKS)', 'MISSING_OPTION');
}

async function runUntilSignalled(server: { close(): Promise<void> }, io: CliIo): Promise<void> {
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        io.err(`${signal} again: exiting now`);
        process.exit(1);
      }
      stopping = true;
      io.err(`${signal}: draining (stop claiming, finish or hand back running jobs)...`);
      void server.close().then(resolve);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
