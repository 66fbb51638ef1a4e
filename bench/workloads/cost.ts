import { PROFILE_PARTS, profileShares, type PartName } from '../profile-shares.js';
import { formatNumber } from '../table.js';
import { runBurst } from './burst.js';
import type { FigureSpec, Workload } from './workload.js';

/**
 * The columns: groups of profile parts, each the share of the server's busy CPU samples in
 * which any part of the group ran. Issue 10 bounds "metrics and logging at their defaults",
 * issue 12 "signing and the guard"; each must cost under 5% of the burst.
 */
const GROUPS: readonly { key: string; label: string; parts: PartName[] }[] = [
  { key: 'observability', label: 'metrics+logs+traces %', parts: ['metrics', 'logs', 'tracing'] },
  { key: 'signingGuard', label: 'signing+guard %', parts: ['signing', 'guard'] },
  // Its dispatch calls the metrics and log listeners: it overlaps the first column.
  { key: 'eventFeed', label: 'event stream+feed %', parts: ['eventFeed'] },
  { key: 'observabilityAll', label: 'metrics+logs+traces+stream %', parts: ['metrics', 'logs', 'tracing', 'eventFeed'] },
  { key: 'store', label: 'store %', parts: ['store'] },
  { key: 'httpClient', label: 'HTTP client %', parts: ['httpClient'] },
  { key: 'gc', label: 'GC %', parts: ['gc'] },
];

/** Workload 12: where a callback burst's server CPU goes, from one run's CPU profile. */
export const costWorkload: Workload = {
  name: 'cost',
  number: 12,
  title: "Cost: where a callback burst's server CPU goes",
  describe: (sizes) =>
    `Workload 5's burst (${formatNumber(sizes.burstJobs, 0)} jobs due at one instant T, concurrency ${sizes.workerConcurrency}), ` +
    `with the server's inspector on and V8's CPU profiler (1 ms sampling) running from 200 ms before T until every job ` +
    `is counted completed. Each column is the share of the server's busy (not idle) samples in which that part was on ` +
    `the stack, so the parts overlap and do not add up to 100%: ` +
    GROUPS.map((group) => `${group.label.replace(' %', '')} = ${group.parts.map((part) => PROFILE_PARTS[part].label).join(' + ')}`).join('; ') +
    '. A within-run measure: noise that slows the machine slows every part alike (bench/profile-shares.ts). ' +
    '"server CPU µs/job" is as in workload 5, here with the profiler running.',
  figures: (): readonly FigureSpec[] => [
    { key: 'cpuUsPerJob', label: 'server CPU µs/job', better: 'lower', decimals: 0, headline: false, ratio: false },
    ...GROUPS.map((group): FigureSpec => ({ key: group.key, label: group.label, better: 'lower', decimals: 1, headline: false, ratio: false })),
  ],
  requiredTrialMethods: ['addBulk', 'startWorker', 'waitForCompletions', 'profileServer', 'serverCpuSeconds'],
  // One burst: the profile's thousands of samples are the repetition.
  runsFor: () => 1,
  async measure(adapter, context) {
    const { figures, profile } = await runBurst(adapter, context, { rawCeiling: false, profile: true });
    const shares = profileShares(profile!);
    context.log(`  ${adapter.name}: top of the profile: ${shares.topSelf(5).map(({ frame, share }) => `${frame} ${(100 * share).toFixed(1)}%`).join('; ')}`);
    return {
      cpuUsPerJob: figures.cpuUsPerJob!,
      ...Object.fromEntries(GROUPS.map((group) => [group.key, 100 * shares.shareOf(...group.parts)])),
    };
  },
};
