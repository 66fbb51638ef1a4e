import type { HttpRequestTemplate } from '../adapter.js';
import { runLoadgen } from '../loadgen-client.js';
import { formatNumber } from '../table.js';
import { withTrial, type FigureSpec, type Figures, type Workload } from './workload.js';

const REQUEST_TIMEOUT_MS = 30_000;
/** Seeding goes as fast as the server takes it; the reads are one at a time (server time, no queueing). */
const SEED_CONCURRENCY = 50;

/** What the dashboard reads, each request on its own. */
const READS: Record<string, (token: string) => HttpRequestTemplate> = {
  // The jobs list: first page, a page deep in the keyset, a name-prefix search, a status filter.
  listFirst: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50' }),
  listAfter: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50&cursor=dash-{i}' }),
  listPrefix: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50&prefix=dash-{i}' }),
  listStatus: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50&status=scheduled&cursor=dash-{i}' }),
  // A status no job has: the case an index on (status, name) is for.
  listRareStatus: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50&status=failed' }),
  // A job's page: the job and its firing history.
  job: () => ({ method: 'GET', path: '/v1.0/jobs/dash-{i}' }),
  history: () => ({ method: 'GET', path: '/v1.0/jobs/dash-{i}/history?limit=100' }),
  // The overview (job counts cached for 10 s; the first request of a run counts them).
  overview: (token) => ({ method: 'GET', path: '/api/v1/overview', headers: { authorization: `Bearer ${token}` } }),
};

const figures: FigureSpec[] = Object.keys(READS).flatMap((read) => [
  { key: `${read}P50Ms`, label: `${read} p50 ms`, better: 'lower', decimals: 2, headline: false, ratio: false },
  { key: `${read}P99Ms`, label: `${read} p99 ms`, better: 'lower', decimals: 2, headline: true, ratio: false },
  { key: `${read}Errors`, label: `${read} errors`, better: 'lower', decimals: 0, headline: false, ratio: false },
]);

/** Workload 9 (Chime only): the dashboard's reads with a million named jobs in the store. */
export const dashboardWorkload: Workload = {
  name: 'dashboard',
  number: 9,
  title: 'Dashboard reads at scale',
  describe: (sizes) =>
    `${formatNumber(sizes.dashboardJobs, 0)} Dapr-style jobs (dash-0..) are created through POST /v1.0/jobs/{name} ` +
    `(due in 24 h, ${SEED_CONCURRENCY} in flight), then each read the dashboard makes is sent ${formatNumber(sizes.dashboardReads, 0)} ` +
    `times one at a time (concurrency 1, so latency is the server's time plus a loopback round trip): the jobs list ` +
    `(first page of 50; a page after cursor dash-i; a name-prefix search; status=scheduled after a cursor; status=failed, which no job has), a job's ` +
    `page (the job, and its history), and the overview. Latency per request, nearest-rank.`,
  figures,
  requiredTrialMethods: ['startHttp'],
  runsFor: () => 1,
  async measure(_adapter, context) {
    const { sizes, log } = context;
    return withTrial(context, async (trial) => {
      const target = await trial.startHttp!();
      if (!target.token) throw new Error('the dashboard workload needs a bearer token for /api/v1');
      const seeded = await runLoadgen({
        method: 'POST',
        path: '/v1.0/jobs/dash-{i}',
        headers: { 'content-type': 'application/json' },
        body: '{"dueTime":"24h","data":{"i":{i}}}',
        origin: target.origin,
        requests: sizes.dashboardJobs,
        concurrency: SEED_CONCURRENCY,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      if (seeded.errors > 0) throw new Error(`seeding failed for ${seeded.errors} jobs: ${JSON.stringify(seeded.statusCounts)}`);
      log(`  seeded ${formatNumber(sizes.dashboardJobs, 0)} jobs at ${formatNumber(seeded.requestsPerSec, 0)}/s`);
      const result: Figures = {};
      for (const [read, template] of Object.entries(READS)) {
        const measured = await runLoadgen({
          ...template(target.token),
          origin: target.origin,
          requests: sizes.dashboardReads,
          concurrency: 1,
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
        result[`${read}P50Ms`] = measured.latencyMs.p50;
        result[`${read}P99Ms`] = measured.latencyMs.p99;
        result[`${read}Errors`] = measured.errors;
      }
      return result;
    });
  },
};
