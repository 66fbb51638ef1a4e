import type { BenchTrial, SystemAdapter } from '../adapter.js';
import { nowMs } from '../clock.js';
import { JobStartRouter } from '../job-recorder.js';
import type { Sizes } from '../sizes.js';
import { spreadOf, summarize } from '../stats.js';
import { formatNumber } from '../table.js';
import { runLatenessRound } from './lateness-round.js';
import { futureJobs } from './storage.js';
import { addInBatches, withTrial, type FigureSpec, type Figures, type Workload } from './workload.js';

const MIB = 1024 * 1024;
/** Seed jobs are built this many at a time: 10,000,000 job objects at once would take ~1 GiB here. */
const SEED_CHUNK = 100_000;
/** Seed jobs' indices start here, far above the lateness rounds' (0.., consecutive per round). */
const SEED_FIRST_INDEX = 1_000_000_000;

/** 10k, 1M, 10M: the step's label in column headers. */
function stepLabel(jobs: number): string {
  if (jobs >= 1_000_000 && jobs % 1_000_000 === 0) return `${jobs / 1_000_000}M`;
  if (jobs >= 1_000 && jobs % 1_000 === 0) return `${jobs / 1_000}k`;
  return String(jobs);
}

const stepKey = (jobs: number, figure: string): string => `s${jobs}.${figure}`;

/** The columns of one step; the headline ones go to the summary. */
const STEP_FIGURES: readonly (Omit<FigureSpec, 'key' | 'label'> & { figure: string; label: string })[] = [
  { figure: 'seedJobsPerSec', label: 'seed jobs/s', better: 'higher', decimals: 0, headline: false, ratio: false },
  { figure: 'p50Ms', label: 'p50 ms', better: 'lower', decimals: 1, headline: false, ratio: false },
  { figure: 'p99Ms', label: 'p99 ms', better: 'lower', decimals: 1, headline: true, ratio: false },
  { figure: 'p99WorstMs', label: 'p99 worst round ms', better: 'lower', decimals: 1, headline: false, ratio: false },
  { figure: 'early', label: 'early', better: 'lower', decimals: 0, headline: false, ratio: false },
  { figure: 'claims', label: 'claims', better: 'lower', decimals: 0, headline: false, ratio: false },
  { figure: 'claimMeanMs', label: 'claim mean ms', better: 'lower', decimals: 2, headline: false, ratio: false },
  { figure: 'claimP99Ms', label: 'claim p99 ms', better: 'lower', decimals: 2, headline: true, ratio: false },
  { figure: 'diskMiB', label: 'disk MiB', better: 'lower', decimals: 1, headline: false, ratio: false },
  { figure: 'serverRssMiB', label: 'server RSS MiB', better: 'lower', decimals: 1, headline: true, ratio: false },
  { figure: 'restartToReadyMs', label: 'restart→ready ms', better: 'lower', decimals: 0, headline: true, ratio: false },
  { figure: 'restartedRssMiB', label: 'RSS after restart MiB', better: 'lower', decimals: 1, headline: false, ratio: false },
];

/** Largest step ÷ smallest: the "flat (within 20%)" is ≤ 1.2. */
const GROWTH_FIGURES: readonly FigureSpec[] = [
  { key: 'p99Growth', label: 'p99 largest÷smallest', better: 'lower', decimals: 2, headline: true, ratio: false },
  { key: 'claimP99Growth', label: 'claim p99 largest÷smallest', better: 'lower', decimals: 2, headline: true, ratio: false },
];

function scaleFigures(sizes: Sizes): FigureSpec[] {
  return [
    ...sizes.scaleSteps.flatMap((jobs) =>
      STEP_FIGURES.map(({ figure, label, ...spec }) => ({ ...spec, key: stepKey(jobs, figure), label: `${stepLabel(jobs)} ${label}` })),
    ),
    ...GROWTH_FIGURES,
  ];
}

/** Adds future jobs until the store holds `target`; returns the insert rate. */
async function seedTo(adapter: SystemAdapter, trial: BenchTrial, seeded: number, target: number): Promise<number> {
  const startedAt = nowMs();
  for (let next = seeded; next < target; next += SEED_CHUNK) {
    await addInBatches(adapter, trial, futureJobs(Math.min(SEED_CHUNK, target - next), SEED_FIRST_INDEX + next));
  }
  return (target - seeded) / ((nowMs() - startedAt) / 1000);
}

/** Workload 11: what firing and claiming cost as the store fills with future jobs. */
export const scaleWorkload: Workload = {
  name: 'scale',
  number: 11,
  title: 'Scale series: cost with a growing backlog of future jobs',
  describe: (sizes) =>
    `One store grows through ${sizes.scaleSteps.map((jobs) => formatNumber(jobs, 0)).join(', ')} future jobs ` +
    `(bulk-inserted as in workload 6, due over the next day, the first 10 min out, never due during the run; the largest ` +
    `step of the full series, ${formatNumber(10_000_000, 0)}, only with --scale-largest). Worker running from the start ` +
    `(concurrency ${sizes.workerConcurrency}). At each step: "seed jobs/s" is the insert rate of the step's new jobs; then ` +
    `${sizes.scaleRoundsPerStep} lateness round${sizes.scaleRoundsPerStep === 1 ? '' : 's'} as workload 4 ` +
    `(${formatNumber(sizes.latenessJobs, 0)} jobs over ${sizes.latenessWindowMs / 1000} s, first due ${sizes.latenessLeadMs} ms ` +
    `after inserting starts, one after another): p50/p99 lateness are the median round's, "p99 worst round" the highest ` +
    `round's p99, early starts summed; "claims" and "claim mean/p99 ms" time every claim of due jobs the worker's engine ` +
    `made during the step's rounds, pooled (store.claimDue, in the worker's process); then disk (workload 6's measure: ` +
    `the SQLite file plus its WAL), the server's RSS, its ` +
    `restart-to-ready time and its RSS 3 s after the restart. "largest÷smallest" divides the largest step's p99 (lateness, claim) by the smallest's. One run.`,
  figures: scaleFigures,
  requiredTrialMethods: ['addBulk', 'startWorker', 'waitForCompletions', 'measureStorage', 'claimTimesMs'],
  runsFor: () => 1,
  async measure(adapter, context) {
    const { sizes, log } = context;
    return withTrial(context, async (trial) => {
      const router = new JobStartRouter();
      await trial.startWorker(router.onJobStart, { concurrency: sizes.workerConcurrency });
      const figures: Figures = {};
      let seeded = 0;
      let rounds = 0;
      for (const jobs of sizes.scaleSteps) {
        const seedJobsPerSec = await seedTo(adapter, trial, seeded, jobs);
        seeded = jobs;
        log(`  ${adapter.name}: ${formatNumber(jobs, 0)} future jobs stored (this step's at ${formatNumber(seedJobsPerSec, 0)}/s)`);
        const claimsBefore = trial.claimTimesMs!().length;
        const roundsAtStep: Figures[] = [];
        for (let round = 0; round < sizes.scaleRoundsPerStep; round += 1) {
          const plan = { jobs: sizes.latenessJobs, windowMs: sizes.latenessWindowMs, leadMs: sizes.latenessLeadMs, firstIndex: rounds * sizes.latenessJobs };
          roundsAtStep.push(await runLatenessRound(adapter, trial, router, plan, log));
          rounds += 1;
        }
        const ofRounds = (figure: string): number[] => roundsAtStep.map((lateness) => lateness[figure]!);
        const p99s = spreadOf(ofRounds('p99Ms'));
        log(`  ${adapter.name}: ${formatNumber(jobs, 0)} stored, lateness p99 by round ${ofRounds('p99Ms').map((ms) => ms.toFixed(1)).join(', ')} ms`);
        const claims = summarize(trial.claimTimesMs!().slice(claimsBefore));
        const disk = await trial.measureStorage!();
        const server = trial.measureServer ? await trial.measureServer() : undefined;
        const step: Figures = {
          seedJobsPerSec,
          p50Ms: spreadOf(ofRounds('p50Ms')).median,
          p99Ms: p99s.median,
          p99WorstMs: p99s.max,
          early: ofRounds('early').reduce((sum, count) => sum + count, 0),
          claims: claims.count,
          claimMeanMs: claims.mean,
          claimP99Ms: claims.p99,
          diskMiB: disk.bytes / MIB,
          serverRssMiB: server ? server.rssBytes / MIB : Number.NaN,
          restartToReadyMs: server ? server.restartToReadyMs : Number.NaN,
          restartedRssMiB: server ? server.restartedRssBytes / MIB : Number.NaN,
        };
        for (const [figure, value] of Object.entries(step)) figures[stepKey(jobs, figure)] = value;
      }
      const smallest = sizes.scaleSteps[0]!;
      const largest = sizes.scaleSteps[sizes.scaleSteps.length - 1]!;
      const growth = (figure: string): number => figures[stepKey(largest, figure)]! / figures[stepKey(smallest, figure)]!;
      return { ...figures, p99Growth: growth('p99Ms'), claimP99Growth: growth('claimP99Ms') };
    });
  },
};
