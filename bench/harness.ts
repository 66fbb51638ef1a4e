/**
 * Runs workloads against systems: sets every system up once, interleaves them
 * run by run (A B C, A B C, …) so slow drifts of a shared machine hit every
 * system alike, records each run's figures or error, and always tears down.
 */
import type { BenchTrial, SystemAdapter, SystemKind, WorkloadName } from './adapter.js';
import { collectGarbage, nowMs } from './clock.js';
import type { Sizes } from './sizes.js';
import type { Figures, FigureSpec, MeasureContext, Workload } from './workloads/workload.js';

export interface RunOutcome {
  readonly run: number;
  readonly figures?: Figures;
  readonly error?: string;
  readonly seconds: number;
}

export type SystemStatus = 'measured' | 'not-supported' | 'unavailable';

export interface SystemWorkloadResult {
  readonly system: string;
  readonly kind: SystemKind;
  readonly status: SystemStatus;
  readonly runs: readonly RunOutcome[];
}

export interface WorkloadResult {
  readonly workload: WorkloadName;
  readonly number: number;
  readonly title: string;
  readonly description: string;
  readonly figures: readonly FigureSpec[];
  readonly runs: number;
  readonly systems: readonly SystemWorkloadResult[];
}

export interface SystemInfo {
  readonly name: string;
  readonly kind: SystemKind;
  readonly product: string;
  readonly version: string;
  readonly settings: readonly string[];
  readonly workloads: readonly WorkloadName[];
  /** Why the system could not be set up, if it could not. */
  readonly unavailable?: string;
}

export interface SessionOptions {
  readonly sizes: Sizes;
  readonly runs: number;
  readonly log: (message: string) => void;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens a trial of `adapter` and checks it has the optional methods
 * `workload` needs, so a missing one fails with a clear message at once.
 */
async function openCheckedTrial(adapter: SystemAdapter, workload: Workload): Promise<BenchTrial> {
  const trial = await adapter.openTrial();
  const missing = workload.requiredTrialMethods.filter((method) => typeof trial[method] !== 'function');
  if (missing.length > 0) {
    await trial.close();
    throw new Error(`${adapter.name} declares workload ${workload.name} but its trial lacks ${missing.join(', ')}`);
  }
  return trial;
}

export class BenchSession {
  private readonly unavailable = new Map<string, string>();
  private readonly setUpDone = new Set<string>();
  private readonly results: WorkloadResult[] = [];
  private tornDown = false;

  constructor(
    private readonly systems: readonly SystemAdapter[],
    private readonly options: SessionOptions,
  ) {}

  /** Sets every system up; one that fails is reported "unavailable", not fatal. */
  async setUp(): Promise<void> {
    for (const system of this.systems) {
      try {
        await system.setUp();
        this.setUpDone.add(system.name);
      } catch (error) {
        this.unavailable.set(system.name, errorMessage(error));
        this.options.log(`${system.name}: set-up failed: ${errorMessage(error)}`);
      }
    }
  }

  systemInfo(): SystemInfo[] {
    return this.systems.map((system) => {
      let version = 'unknown';
      try {
        version = system.version();
      } catch {
        // Not installed: the set-up error says why.
      }
      return {
        name: system.name,
        kind: system.kind,
        product: system.product,
        version,
        settings: system.settings,
        workloads: [...system.workloads],
        unavailable: this.unavailable.get(system.name),
      };
    });
  }

  async runWorkload(workload: Workload): Promise<WorkloadResult> {
    const { sizes, log } = this.options;
    const runs = workload.runsFor(this.options.runs);
    const outcomes = new Map<string, RunOutcome[]>(this.systems.map((system) => [system.name, []]));
    const measurable = this.systems.filter((system) => system.workloads.has(workload.name) && !this.unavailable.has(system.name));

    for (let run = 1; run <= runs; run += 1) {
      for (const system of measurable) {
        collectGarbage();
        const startedAt = nowMs();
        let outcome: RunOutcome;
        try {
          const context: MeasureContext = {
            sizes,
            log,
            openTrial: () => openCheckedTrial(system, workload),
            priorFigures: (name, scope) => this.priorFigures(name, system, scope, workload.name, outcomes),
          };
          const figures = await workload.measure(system, context);
          outcome = { run, figures, seconds: (nowMs() - startedAt) / 1000 };
        } catch (error) {
          outcome = { run, error: errorMessage(error), seconds: (nowMs() - startedAt) / 1000 };
        }
        outcomes.get(system.name)?.push(outcome);
        log(
          `[${workload.name} ${run}/${runs}] ${system.name}: ` +
            (outcome.error ? `ERROR ${outcome.error}` : 'ok') +
            ` (${outcome.seconds.toFixed(1)} s)`,
        );
      }
    }

    const result: WorkloadResult = {
      workload: workload.name,
      number: workload.number,
      title: workload.title,
      description: workload.describe(sizes),
      figures: workload.figures(sizes),
      runs,
      systems: this.systems.map((system) => ({
        system: system.name,
        kind: system.kind,
        status: this.unavailable.has(system.name)
          ? 'unavailable'
          : system.workloads.has(workload.name)
            ? 'measured'
            : 'not-supported',
        runs: outcomes.get(system.name) ?? [],
      })),
    };
    this.results.push(result);
    return result;
  }

  /** Tears down every system that was set up; safe to call twice (Ctrl-C during teardown). */
  async tearDown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    for (const system of [...this.systems].reverse()) {
      if (!this.setUpDone.has(system.name)) continue;
      try {
        await system.tearDown();
      } catch (error) {
        this.options.log(`${system.name}: tear-down failed: ${errorMessage(error)}`);
      }
    }
  }

  private priorFigures(
    workload: WorkloadName,
    system: SystemAdapter,
    scope: 'system' | 'product',
    current: WorkloadName,
    currentOutcomes: ReadonlyMap<string, readonly RunOutcome[]>,
  ): Figures[] {
    const relevant = this.systems.filter((candidate) =>
      scope === 'system' ? candidate === system : candidate.product === system.product,
    );
    return relevant.flatMap((candidate) => {
      const outcomes =
        workload === current
          ? currentOutcomes.get(candidate.name) ?? []
          : this.results
              .find((result) => result.workload === workload)
              ?.systems.find((entry) => entry.system === candidate.name)?.runs ?? [];
      return outcomes.flatMap((outcome) => (outcome.figures ? [outcome.figures] : []));
    });
  }
}
