import { burstWorkload } from './burst.js';
import { costWorkload } from './cost.js';
import { dashboardWorkload } from './dashboard.js';
import { enqueueWorkload } from './enqueue.js';
import { grpcWorkload } from './grpc.js';
import { httpWorkload } from './http.js';
import { latencyWorkload } from './latency.js';
import { latenessWorkload } from './lateness.js';
import { processWorkload } from './process.js';
import { scaleWorkload } from './scale.js';
import { storageWorkload } from './storage.js';
import { sustainedWorkload } from './sustained.js';
import type { Workload } from './workload.js';

/** Every workload, in report order. */
export const allWorkloads: readonly Workload[] = [
  enqueueWorkload,
  processWorkload,
  latencyWorkload,
  latenessWorkload,
  burstWorkload,
  storageWorkload,
  httpWorkload,
  dashboardWorkload,
  grpcWorkload,
  sustainedWorkload,
  scaleWorkload,
  costWorkload,
];
