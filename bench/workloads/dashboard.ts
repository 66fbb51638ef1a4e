import type { HttpRequestTemplate, HttpTarget } from '../adapter.js';
import { runLoadgen } from '../loadgen-client.js';
import { formatNumber } from '../table.js';
import { withTrial, type FigureSpec, type Figures, type Workload } from './workload.js';

const REQUEST_TIMEOUT_MS = 30_000;
/** Seeding goes as fast as the server takes it; the reads are one at a time (server time, no queueing). */
const SEED_CONCURRENCY = 50;
/**
 * Platform jobs go in through POST /api/v1/jobs/bulk, this many per request. The body travels to
 * the load generator as one command-line argument, which Linux caps at 128 KiB; 500 jobs are ~50 KiB.
 */
const PLATFORM_BATCH = 500;
const PLATFORM_SEED_CONCURRENCY = 2;
/** The chime adapter's registered task and its queue (bench/adapters/chime.ts); no worker runs. */
const PLATFORM_TASK = 'bench_noop';
const PLATFORM_QUEUE = 'bench';
/** The deep page's cursor is found by walking the list in pages of this many (the API's maximum). */
const DEEP_WALK_PAGE = 1_000;

/** What the seeding hands the reads: the token for /api/v1 and a real cursor deep in the platform list. */
interface Seeded {
  readonly token: string;
  readonly deepCursor: string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** What the dashboard reads, each request on its own. */
const READS: Record<string, (seeded: Seeded) => HttpRequestTemplate> = {
  // The Dapr jobs list: first page, a page deep in the keyset, a name-prefix search, a status filter.
  listFirst: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50' }),
  listAfter: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50&cursor=dash-{i}' }),
  listPrefix: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50&prefix=dash-{i}' }),
  listStatus: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50&status=scheduled&cursor=dash-{i}' }),
  // A status no job has: the case an index on (status, name) is for.
  listRareStatus: () => ({ method: 'GET', path: '/v1.0/jobs?limit=50&status=failed' }),
  // A Dapr job's page: the job and its firing history.
  job: () => ({ method: 'GET', path: '/v1.0/jobs/dash-{i}' }),
  history: () => ({ method: 'GET', path: '/v1.0/jobs/dash-{i}/history?limit=100' }),
  // The platform jobs list, not counted (what the dashboard pages with), then filtered.
  v1ListFirst: ({ token }) => ({ method: 'GET', path: '/api/v1/jobs?limit=50&count=false', headers: bearer(token) }),
  v1ListStatus: ({ token }) => ({ method: 'GET', path: '/api/v1/jobs?limit=50&count=false&status=pending', headers: bearer(token) }),
  v1ListQueue: ({ token }) => ({ method: 'GET', path: `/api/v1/jobs?limit=50&count=false&queue_name=${PLATFORM_QUEUE}`, headers: bearer(token) }),
  // A status no platform job has: the rows a status filter must pass over.
  v1ListRareStatus: ({ token }) => ({ method: 'GET', path: '/api/v1/jobs?limit=50&count=false&status=failed', headers: bearer(token) }),
  // The page after half the platform jobs, by a cursor the API itself returned.
  v1ListDeep: ({ token, deepCursor }) => ({ method: 'GET', path: `/api/v1/jobs?limit=50&cursor=${encodeURIComponent(deepCursor)}`, headers: bearer(token) }),
  // The first page with its total (the API's default): what counting the matches costs.
  v1ListCounted: ({ token }) => ({ method: 'GET', path: '/api/v1/jobs?limit=50', headers: bearer(token) }),
  // A platform job's page: the first bulk request's jobs (there may be fewer requests than reads).
  v1Job: ({ token }) => ({ method: 'GET', path: '/api/v1/jobs/plat-0-{i}', headers: bearer(token) }),
  // The overview (job counts cached for 10 s; the first request of a run counts them).
  overview: ({ token }) => ({ method: 'GET', path: '/api/v1/overview', headers: bearer(token) }),
};

const figures: FigureSpec[] = Object.keys(READS).flatMap((read) => [
  { key: `${read}P50Ms`, label: `${read} p50 ms`, better: 'lower', decimals: 2, headline: false, ratio: false },
  { key: `${read}P99Ms`, label: `${read} p99 ms`, better: 'lower', decimals: 2, headline: true, ratio: false },
  { key: `${read}Errors`, label: `${read} errors`, better: 'lower', decimals: 0, headline: false, ratio: false },
]);

/** One bulk request's body: jobs plat-{i}-0 .. plat-{i}-499 of the registered task, due in 24 h. */
function platformBatchBody(scheduledAt: string): string {
  const jobs = Array.from({ length: PLATFORM_BATCH }, (_, k) => ({ task_name: PLATFORM_TASK, job_id: `plat-{i}-${k}`, args: [k], scheduled_at: scheduledAt }));
  return JSON.stringify({ jobs });
}

/** Walks the platform list from its first page until `depth` jobs lie before the cursor it returns. */
async function cursorAfter(target: HttpTarget, token: string, depth: number): Promise<string> {
  let cursor: string | null = null;
  for (let seen = 0; seen < depth; seen += DEEP_WALK_PAGE) {
    const query = cursor === null ? `limit=${DEEP_WALK_PAGE}&count=false` : `limit=${DEEP_WALK_PAGE}&cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(`${target.origin}/api/v1/jobs?${query}`, { headers: bearer(token) });
    if (!response.ok) throw new Error(`walking the platform list: HTTP ${response.status} ${await response.text()}`);
    cursor = ((await response.json()) as { next_cursor: string | null }).next_cursor;
    if (cursor === null) throw new Error(`the platform list ended before ${depth} jobs`);
  }
  if (cursor === null) throw new Error('no platform jobs to page through');
  return cursor;
}

/** Workload 9 (Chime only): the dashboard's reads with named (Dapr) and platform jobs in the store, a million in all at full size. */
export const dashboardWorkload: Workload = {
  name: 'dashboard',
  number: 9,
  title: 'Dashboard reads at scale',
  describe: (sizes) =>
    `${formatNumber(sizes.dashboardPlatformJobs, 0)} platform task jobs (plat-i-k, task ${PLATFORM_TASK}, queue ${PLATFORM_QUEUE}, ` +
    `no worker, due in 24 h) are created through POST /api/v1/jobs/bulk (${PLATFORM_BATCH} per request, ${PLATFORM_SEED_CONCURRENCY} in flight), ` +
    `then ${formatNumber(sizes.dashboardJobs, 0)} Dapr-style jobs (dash-0..) through POST /v1.0/jobs/{name} ` +
    `(due in 24 h, ${SEED_CONCURRENCY} in flight): the newest rows are all Dapr jobs, the worst case for the platform list, which ` +
    `shows task jobs newest first. A cursor half-way down the platform list is taken by paging through it ${formatNumber(DEEP_WALK_PAGE, 0)} at a time. ` +
    `Then each read the dashboard makes is sent ${formatNumber(sizes.dashboardReads, 0)} times one at a time (concurrency 1, so latency is ` +
    `the server's time plus a loopback round trip): the Dapr jobs list (first page of 50; a page after cursor dash-i; a name-prefix search; ` +
    `status=scheduled after a cursor; status=failed, which no job has), a Dapr job's page (the job, and its history); the platform jobs list ` +
    `(first page of 50 with count=false; with status=pending; with queue_name=${PLATFORM_QUEUE}; with status=failed, which no job has; the ` +
    `page at the half-way cursor; the first page counted, the API's default), a platform job's page (GET /api/v1/jobs/plat-0-i); and the ` +
    `overview. Latency per request, nearest-rank.`,
  figures: () => figures,
  requiredTrialMethods: ['startHttp'],
  runsFor: () => 1,
  async measure(_adapter, context) {
    const { sizes, log } = context;
    if (sizes.dashboardPlatformJobs % PLATFORM_BATCH !== 0) throw new Error(`dashboardPlatformJobs must be a multiple of ${PLATFORM_BATCH}`);
    if (sizes.dashboardReads > PLATFORM_BATCH) throw new Error(`dashboardReads reads plat-0-0..; at most ${PLATFORM_BATCH}`);
    return withTrial(context, async (trial) => {
      const target = await trial.startHttp!();
      const token = target.token;
      if (!token) throw new Error('the dashboard workload needs a bearer token for /api/v1');
      const platform = await runLoadgen({
        method: 'POST',
        path: '/api/v1/jobs/bulk',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: platformBatchBody(new Date(Date.now() + 24 * 3600_000).toISOString()),
        origin: target.origin,
        requests: sizes.dashboardPlatformJobs / PLATFORM_BATCH,
        concurrency: PLATFORM_SEED_CONCURRENCY,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      if (platform.errors > 0) throw new Error(`seeding platform jobs failed for ${platform.errors} requests: ${JSON.stringify(platform.statusCounts)}`);
      log(`  seeded ${formatNumber(sizes.dashboardPlatformJobs, 0)} platform jobs at ${formatNumber(platform.requestsPerSec * PLATFORM_BATCH, 0)}/s`);
      const dapr = await runLoadgen({
        method: 'POST',
        path: '/v1.0/jobs/dash-{i}',
        headers: { 'content-type': 'application/json' },
        body: '{"dueTime":"24h","data":{"i":{i}}}',
        origin: target.origin,
        requests: sizes.dashboardJobs,
        concurrency: SEED_CONCURRENCY,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      if (dapr.errors > 0) throw new Error(`seeding failed for ${dapr.errors} jobs: ${JSON.stringify(dapr.statusCounts)}`);
      log(`  seeded ${formatNumber(sizes.dashboardJobs, 0)} Dapr jobs at ${formatNumber(dapr.requestsPerSec, 0)}/s`);
      const seeded: Seeded = { token, deepCursor: await cursorAfter(target, token, sizes.dashboardPlatformJobs / 2) };
      const result: Figures = {};
      for (const [read, template] of Object.entries(READS)) {
        const measured = await runLoadgen({
          ...template(seeded),
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
