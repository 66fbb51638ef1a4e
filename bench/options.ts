import { parseArgs } from 'node:util';

/** Command-line options of `npm run bench -- …`. */
export interface BenchOptions {
  /** System and workload names to keep; empty keeps everything. */
  readonly only: readonly string[];
  /** Small sizes and one run: proves the harness works, asserts nothing about speed. */
  readonly quick: boolean;
  /** Print the machine-readable result on stdout (the human report goes to stderr). */
  readonly json: boolean;
  /** Runs per figure; default 3, or 1 with --quick. */
  readonly runs: number;
  /** Also measure the scale series' largest step (10,000,000 future jobs; 50,000 with --quick). */
  readonly scaleLargest: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [--quick] [--only <name>[,<name>…]] [--runs N] [--scale-largest] [--json]

  --quick          small sizes, 1 run (checks the harness end to end; asserts nothing about speed)
  --only names     keep only these systems and/or workloads (comma-separated or repeated);
                   workloads: enqueue, process, latency, lateness, burst, storage, http, dashboard,
                   grpc, sustained, scale, cost
  --runs N         repetitions per figure (default 3; 1 with --quick; burst, storage, dashboard,
                   scale and cost always run once)
  --scale-largest  add the scale series' largest step: 10,000,000 future jobs (50,000 with --quick);
                   seeding it takes minutes (docs/benchmarks.md, workload 11)
  --json           machine-readable result on stdout; the human report goes to stderr
`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      only: { type: 'string', multiple: true, default: [] },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      runs: { type: 'string' },
      'scale-largest': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick ?? false;
  let runs = quick ? 1 : 3;
  if (values.runs !== undefined) {
    runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  }
  const only = (values.only ?? []).flatMap((list) => list.split(',')).map((name) => name.trim()).filter(Boolean);
  return { only, quick, json: values.json ?? false, runs, scaleLargest: values['scale-largest'] ?? false, help: values.help ?? false };
}

/**
 * Splits `--only` names into systems and workloads. A name that is neither is
 * an error (a typo should not silently run everything).
 */
export function selectByName<S extends { name: string }, W extends { name: string }>(
  only: readonly string[],
  systems: readonly S[],
  workloads: readonly W[],
): { systems: S[]; workloads: W[] } {
  const systemNames = new Set(systems.map((system) => system.name));
  const workloadNames = new Set(workloads.map((workload) => workload.name));
  const unknown = only.filter((name) => !systemNames.has(name) && !workloadNames.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown name(s) ${unknown.join(', ')}; systems: ${[...systemNames].join(', ')}; workloads: ${[...workloadNames].join(', ')}`,
    );
  }
  const wantedSystems = only.filter((name) => systemNames.has(name));
  const wantedWorkloads = only.filter((name) => workloadNames.has(name));
  return {
    systems: wantedSystems.length > 0 ? systems.filter((system) => wantedSystems.includes(system.name)) : [...systems],
    workloads: wantedWorkloads.length > 0 ? workloads.filter((workload) => wantedWorkloads.includes(workload.name)) : [...workloads],
  };
}
