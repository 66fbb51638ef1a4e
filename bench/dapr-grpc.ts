/**
 * Dapr gRPC peers for the bench, from the .proto files Chime ships (loaded at run time by
 * @grpc/proto-loader, as a Dapr SDK's are generated from Dapr's): a `Dapr` client, and an app
 * serving `AppCallback.OnJobEvent`.
 */
import * as grpc from '@grpc/grpc-js';

/** Chime's own service definitions (its proto/ files), loaded once, when first needed. */
async function service(name: 'Dapr' | 'AppCallback'): Promise<grpc.ServiceClientConstructor> {
  const { daprService } = await import('@chime-scheduler/server/grpc');
  return daprService(name);
}

type Unary = (request: object, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

export interface DaprGrpcClient {
  call(method: 'ScheduleJobAlpha1' | 'GetJobAlpha1', request: object): Promise<unknown>;
  close(): void;
}

export async function connectDapr(address: string): Promise<DaprGrpcClient> {
  const client = new (await service('Dapr'))(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Unary>;
  return {
    call: (method, request) =>
      new Promise((resolve, reject) => client[method]!(request, (error, response) => (error ? reject(error) : resolve(response)))),
    close: () => client.close(),
  };
}

/** google.protobuf.Value {"i": index} packed as an Any, encoded by hand (two nested messages). */
export function indexData(index: number): { type_url: string; value: Buffer } {
  // Value{struct_value(5): Struct{fields(1): map entry{key(1) "i", value(2) Value{number_value(2) double}}}}
  const number = Buffer.alloc(9);
  number[0] = 0x11; // field 2, 64-bit
  number.writeDoubleLE(index, 1);
  const entry = Buffer.concat([Buffer.from([0x0a, 0x01, 0x69, 0x12, number.length]), number]);
  const struct = Buffer.concat([Buffer.from([0x0a, entry.length]), entry]);
  const value = Buffer.concat([Buffer.from([0x2a, struct.length]), struct]);
  return { type_url: 'type.googleapis.com/google.protobuf.Value', value };
}

/** Reads {"i": index} back out of indexData's bytes. */
export function indexOf(data: { value: Buffer } | undefined): number {
  if (!data || data.value.length < 9) throw new Error('job event without bench data');
  return data.value.readDoubleLE(data.value.length - 8);
}

/** An app serving AppCallback.OnJobEvent on 127.0.0.1; returns its http://host:port (Chime's --app-url). */
export async function startJobEventApp(onEvent: (request: { name: string; data?: { value: Buffer } }) => void): Promise<{ url: string; stop(): void }> {
  const server = new grpc.Server();
  server.addService((await service('AppCallback')).service, {
    OnJobEvent: (call: grpc.ServerUnaryCall<{ name: string; data?: { value: Buffer } }, object>, callback: grpc.sendUnaryData<object>) => {
      onEvent(call.request);
      callback(null, {});
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}
