import type { HttpTarget } from '../adapter.js';
import { runLoadgen } from '../loadgen-client.js';
import { formatNumber } from '../table.js';
import { withTrial, type FigureSpec, type Figures, type Workload } from './workload.js';

const OPERATIONS = ['create', 'get', 'list'] as const satisfies readonly (keyof HttpTarget)[];
const REQUEST_TIMEOUT_MS = 10_000;

/** The four figures of one API operation (also workload 8's, without peer ratios). */
export function operationFigures(operation: string, ratio = true): FigureSpec[] {
  return [
    { key: `${operation}RequestsPerSec`, label: `${operation} req/s`, better: 'higher', decimals: 0, headline: true, ratio },
    { key: `${operation}P50Ms`, label: `${operation} p50 ms`, better: 'lower', decimals: 2, headline: false, ratio },
    { key: `${operation}P99Ms`, label: `${operation} p99 ms`, better: 'lower', decimals: 2, headline: true, ratio },
    { key: `${operation}Errors`, label: `${operation} errors`, better: 'lower', decimals: 0, headline: false, ratio: false },
  ];
}

/** Workload 7: the system's HTTP API under load, driven from a separate process. */
export const httpWorkload: Workload = {
  name: 'http',
  number: 7,
  title: 'HTTP API under load',
  describe: (sizes) =>
    `The system's HTTP API is driven by bench/loadgen.ts in a separate Node process (undici keep-alive Pool, ` +
    `one connection per concurrent request), at concurrency ${sizes.httpConcurrency}: ` +
    `${formatNumber(sizes.httpRequests, 0)} creates (jobs 0..n-1), then ${formatNumber(sizes.httpRequests, 0)} gets ` +
    `(the same jobs), then ${formatNumber(sizes.httpListRequests, 0)} lists (a page of 100 jobs each). ` +
    `Before each, the same load generator sends ${formatNumber(sizes.httpWarmupRequests, 0)} requests of the kind ` +
    `(${formatNumber(sizes.httpListWarmupRequests, 0)} for lists; creates and gets of other jobs) that are not counted: ` +
    `a fresh server's first requests run cold code. ` +
    `req/s = requests ÷ time from first send to last response; latency is per request, nearest-rank; ` +
    `errors = network failures, timeouts and HTTP status ≥ 400.`,
  figures: () => OPERATIONS.flatMap((operation) => operationFigures(operation)),
  requiredTrialMethods: ['startHttp'],
  runsFor: (requested) => requested,
  async measure(adapter, context) {
    const { sizes } = context;
    return withTrial(context, async (trial) => {
      const startHttp = trial.startHttp?.bind(trial);
      if (!startHttp) throw new Error('startHttp is required');
      const target = await startHttp();
      const figures: Figures = {};
      for (const operation of OPERATIONS) {
        const result = await runLoadgen({
          ...target[operation],
          origin: target.origin,
          requests: operation === 'list' ? sizes.httpListRequests : sizes.httpRequests,
          warmupRequests: operation === 'list' ? sizes.httpListWarmupRequests : sizes.httpWarmupRequests,
          concurrency: sizes.httpConcurrency,
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
        figures[`${operation}RequestsPerSec`] = result.requestsPerSec;
        figures[`${operation}P50Ms`] = result.latencyMs.p50;
        figures[`${operation}P99Ms`] = result.latencyMs.p99;
        figures[`${operation}Errors`] = result.errors;
      }
      return figures;
    });
  },
};
