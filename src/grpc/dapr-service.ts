/**
 * The handlers of `dapr.proto.runtime.v1.Dapr` Chime serves: the jobs calls under their alpha
 * and stable names, and GetMetadata. Each translates the wire message and calls DaprJobs, the
 * service the HTTP routes call; nothing about jobs is decided here.
 */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { DaprJobsCall } from '../core/dapr-errors.js';
import { ChimeError } from '../core/errors.js';
import type { DaprJobs } from '../services/dapr-jobs.js';
import { jobToWire, scheduleRequestFromWire, type WireJob } from './dapr-job-wire.js';
import { toGrpcError } from './grpc-errors.js';

/** GetMetadataResponse fields, as the HTTP /v1.0/metadata answer has them. */
export interface GrpcMetadata {
  id: string;
  runtime_version: string;
  enabled_features: string[];
  extended_metadata: Record<string, string>;
  app_connection_properties: { port: number; protocol: string; channel_address: string; max_concurrency: number };
}

export interface DaprServiceDeps {
  jobs: DaprJobs;
  metadata: () => GrpcMetadata;
  log: (error: unknown) => void;
}

type Handler<Req, Res> = (request: Req) => Promise<Res>;

/** Wraps a handler: its answer, or its error in Dapr's form. */
function unary<Req, Res>(call: DaprJobsCall, nameOf: (request: Req) => string, handler: Handler<Req, Res>, log: (error: unknown) => void) {
  return (serverCall: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    handler(serverCall.request).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toGrpcError(error, call, nameOf(serverCall.request), log)),
    );
  };
}

interface ScheduleJobRequest {
  job?: WireJob | null;
  overwrite?: boolean;
}
interface NameRequest {
  name?: string;
}
interface PrefixRequest {
  name_prefix?: string;
}

export function daprServiceHandlers({ jobs, metadata, log }: DaprServiceDeps): UntypedServiceImplementation {
  const jobName = (request: ScheduleJobRequest): string => request.job?.name ?? '';
  const requestName = (request: NameRequest): string => request.name ?? '';
  const none = (): string => '';

  const schedule = unary<ScheduleJobRequest, object>('schedule', jobName, async (request) => {
    const { name, request: input } = scheduleRequestFromWire(request.job);
    await jobs.create(name, input, 'dapr', request.overwrite === true);
    return {};
  }, log);

  const get = unary<NameRequest, object>('get', requestName, async (request) => {
    const name = requestName(request);
    if (name === '') throw emptyName();
    return { job: jobToWire(await jobs.get(name)) };
  }, log);

  // Deleting an unknown name succeeds, as it does in Dapr (an etcd delete of no key).
  const remove = unary<NameRequest, object>('delete', requestName, async (request) => {
    const name = requestName(request);
    if (name === '') throw emptyName();
    await jobs.delete(name);
    return {};
  }, log);

  const deleteByPrefix = unary<PrefixRequest, object>('delete', none, async (request) => {
    await jobs.deleteByPrefix(request.name_prefix ?? '');
    return {};
  }, log);

  const list = unary<object, object>('list', none, async () => ({ jobs: (await jobs.listLive()).map(jobToWire) }), log);

  return {
    GetMetadata: (_call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => callback(null, metadata()),
    ScheduleJobAlpha1: schedule,
    ScheduleJob: schedule,
    GetJobAlpha1: get,
    GetJob: get,
    DeleteJobAlpha1: remove,
    DeleteJob: remove,
    DeleteJobsByPrefixAlpha1: deleteByPrefix,
    DeleteJobsByPrefix: deleteByPrefix,
    ListJobsAlpha1: list,
    ListJobs: list,
  };
}

function emptyName(): ChimeError {
  return new ChimeError('JOB_NAME_EMPTY', 'name: must not be empty', { field: 'name' });
}
