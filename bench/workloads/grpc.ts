import { runGrpcLoadgen } from '../loadgen-client.js';
import { formatNumber } from '../table.js';
import { operationFigures } from './http.js';
import { withTrial, type Figures, type Workload } from './workload.js';

const OPERATIONS = [
  ['create', 'ScheduleJobAlpha1'],
  ['get', 'GetJobAlpha1'],
] as const;

/** Workload 8: the Dapr gRPC jobs API under load (Chime only: the peers have no such API). */
export const grpcWorkload: Workload = {
  name: 'grpc',
  number: 8,
  title: 'Dapr gRPC jobs API under load',
  describe: (sizes) =>
    `bench/grpc-loadgen.ts in a separate Node process calls dapr.proto.runtime.v1.Dapr over one HTTP/2 channel ` +
    `(as a Dapr SDK does), at concurrency ${sizes.httpConcurrency}: ${formatNumber(sizes.httpRequests, 0)} ` +
    `ScheduleJobAlpha1 (jobs bench-0..n-1, due in 24 h, data a google.protobuf.Value), then as many GetJobAlpha1 ` +
    `of the same jobs, each after ${formatNumber(sizes.httpWarmupRequests, 0)} calls of other jobs that are not counted. ` +
    `Comparable with workload 7's create and get rows, which do the same over HTTP. ` +
    `req/s = calls ÷ time from first send to last response; latency per call, nearest-rank; errors = non-OK statuses.`,
  figures: () => OPERATIONS.flatMap(([operation]) => operationFigures(operation, false)),
  requiredTrialMethods: ['startGrpc'],
  runsFor: (requested) => requested,
  async measure(_adapter, context) {
    const { sizes } = context;
    return withTrial(context, async (trial) => {
      const startGrpc = trial.startGrpc?.bind(trial);
      if (!startGrpc) throw new Error('startGrpc is required');
      const { address } = await startGrpc();
      const figures: Figures = {};
      for (const [operation, method] of OPERATIONS) {
        const result = await runGrpcLoadgen({
          address,
          method,
          requests: sizes.httpRequests,
          warmupRequests: sizes.httpWarmupRequests,
          concurrency: sizes.httpConcurrency,
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
