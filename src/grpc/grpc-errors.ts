/**
 * Errors of the gRPC jobs API as the Dapr runtime sends them: a status code, a message, and a
 * `google.rpc.Status` in the `grpc-status-details-bin` trailer carrying a `google.rpc.ErrorInfo`
 * (reason, domain "dapr.io", appID/namespace metadata), plus a `google.rpc.BadRequest` naming
 * the field where Chime's check is more specific than Dapr's.
 */
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { daprErrorFor, DAPR_ERROR_DOMAIN, type DaprJobsCall } from '../core/dapr-errors.js';
import { ChimeError, isChimeError } from '../core/errors.js';
import { daprProtoRoot } from './proto-files.js';

function packAny(typeName: string, message: Record<string, unknown>): { type_url: string; value: Uint8Array } {
  const type = daprProtoRoot().lookupType(typeName);
  return { type_url: `type.googleapis.com/${typeName}`, value: type.encode(type.fromObject(message)).finish() };
}

/** Maps anything a handler threw to the gRPC error the client receives. */
export function toGrpcError(error: unknown, call: DaprJobsCall, jobName: string, log: (error: unknown) => void): Partial<ServiceError> {
  const chime = isChimeError(error) ? error : new ChimeError('INTERNAL', 'internal error', { cause: error });
  if (chime.code === 'INTERNAL') log(error);
  const dapr = daprErrorFor(chime, call, jobName);
  const details = [packAny('google.rpc.ErrorInfo', { reason: dapr.reason, domain: DAPR_ERROR_DOMAIN, metadata: dapr.metadata })];
  if (dapr.violation) details.push(packAny('google.rpc.BadRequest', { field_violations: [dapr.violation] }));
  const statusType = daprProtoRoot().lookupType('google.rpc.Status');
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(statusType.encode(statusType.fromObject({ code: dapr.grpcCode, message: dapr.message, details })).finish()));
  return { code: dapr.grpcCode as GrpcStatus, details: dapr.message, metadata };
}
