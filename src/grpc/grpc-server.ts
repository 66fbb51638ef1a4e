/**
 * The gRPC API a Dapr SDK reaches on DAPR_GRPC_PORT: service `dapr.proto.runtime.v1.Dapr`
 * (src/grpc/dapr-service.ts). Methods of that service Chime does not serve answer
 * UNIMPLEMENTED, naming the method, as grpc-js does for any unknown method.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { daprServiceHandlers, type DaprServiceDeps } from './dapr-service.js';
import { daprService } from './proto-files.js';

export interface GrpcApiOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Largest message accepted, bytes (the HTTP body limit's twin). */
  maxMessageBytes: number;
}

export interface GrpcApi {
  readonly port: number;
  /** host:port, as a gRPC client dials it. */
  readonly address: string;
  /** Stops taking calls; calls in flight get `graceMs` to finish. */
  close(graceMs?: number): Promise<void>;
}

export async function startGrpcApi(deps: DaprServiceDeps, options: GrpcApiOptions): Promise<GrpcApi> {
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': -1,
  });
  server.addService(daprService('Dapr').service, daprServiceHandlers(deps));
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  let closing: Promise<void> | null = null;
  return {
    port,
    address: `${host}:${port}`,
    close(graceMs = 5000) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
