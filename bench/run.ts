/**
 * `npm run bench -- [options]`: measures Chime side by side with its peers in
 * one process on this machine. See docs/benchmarks.md for what each workload
 * measures and bench/adapter.ts for adding a system.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { SystemAdapter } from './adapter.js';
import { createSystems } from './adapters/index.js';
import { nowMs } from './clock.js';
import { BenchSession, type WorkloadResult } from './harness.js';
import { describeMachine, renderMachine } from './machine.js';
import { parseBenchOptions, selectByName, USAGE, type BenchOptions } from './options.js';
import { buildSummary, renderSummary, renderSystems, renderWorkloadTable, spreadsOf } from './report.js';
import { readServiceConfig, type ServiceConfig } from './services.js';
import { fullSizes, quickSizes, withScaleLargest } from './sizes.js';
import { allWorkloads } from './workloads/index.js';
import type { Workload } from './workloads/workload.js';

const RESULTS_DIRECTORY = fileURLToPath(new URL('../bench/results/', import.meta.url));

/** Parses the command line; on a mistake prints it with the usage and returns undefined. */
function readCommandLine():
  | { options: BenchOptions; services: ServiceConfig; selection: { systems: SystemAdapter[]; workloads: Workload[] } }
  | undefined {
  try {
    const options = parseBenchOptions(process.argv.slice(2));
    const services = readServiceConfig();
    const selection = selectByName(options.only, createSystems(services), allWorkloads);
    return { options, services, selection };
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return undefined;
  }
}

async function main(): Promise<void> {
  const commandLine = readCommandLine();
  if (!commandLine) return;
  const { options, services, selection } = commandLine;
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  // With --json, stdout carries only the JSON result.
  const report = (text: string): void => {
    (options.json ? process.stderr : process.stdout).write(`${text}\n\n`);
  };
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };

  const startedAt = new Date();
  const startedAtMs = nowMs();
  const baseSizes = options.quick ? quickSizes : fullSizes;
  const sizes = options.scaleLargest ? withScaleLargest(baseSizes) : baseSizes;

  const machine = await describeMachine(services);
  report(`## Chime benchmark — ${startedAt.toISOString()}${options.quick ? ' (--quick)' : ''}`);
  report(renderMachine(machine));

  const session = new BenchSession(selection.systems, { sizes, runs: options.runs, log });
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    log(`${signal}: tearing down (restoring Redis hz, deleting keys and schemas)…`);
    void session.tearDown().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: WorkloadResult[] = [];
  try {
    await session.setUp();
    report(`### Systems\n\n${renderSystems(session.systemInfo())}`);
    for (const workload of selection.workloads) {
      if (interrupted) break;
      const result = await session.runWorkload(workload);
      results.push(result);
      report(renderWorkloadTable(result));
    }
  } finally {
    await session.tearDown();
  }

  const summary = buildSummary(results);
  report(renderSummary(summary));
  const wallSeconds = (nowMs() - startedAtMs) / 1000;
  report(`Wall time: ${(wallSeconds / 60).toFixed(1)} min (${wallSeconds.toFixed(0)} s)`);

  const output = {
    startedAt: startedAt.toISOString(),
    wallSeconds,
    command: `node --expose-gc dist-bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    options,
    sizes,
    machine,
    systems: session.systemInfo(),
    workloads: results.map((result) => ({ ...result, spreads: spreadsOf(result) })),
    summary,
  };
  await mkdir(RESULTS_DIRECTORY, { recursive: true });
  const resultsFile = `${RESULTS_DIRECTORY}${startedAt.toISOString().replaceAll(':', '-')}.json`;
  await writeFile(resultsFile, `${JSON.stringify(output, null, 2)}\n`);
  log(`Results written to ${resultsFile}`);
  if (options.json) process.stdout.write(`${JSON.stringify(output)}\n`);
  // A run that errored leaves a hole in the tables: say so in the exit code, so a --quick
  // smoke run in CI fails when an adapter breaks (it asserts nothing about speed).
  const failed = results.flatMap((result) =>
    result.systems.flatMap((system) => [
      ...(system.status === 'unavailable' ? [`${result.workload}: ${system.system}: unavailable (its set-up failed)`] : []),
      ...system.runs.filter((run) => run.error).map((run) => `${result.workload} ${run.run}: ${system.system}: ${run.error}`),
    ]),
  );
  if (failed.length > 0) {
    log(`${failed.length} run(s) failed:\n  ${failed.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
