/**
 * gRPC peers for tests, generated at run time from the project's .proto files by
 * @grpc/proto-loader (as an SDK user would from Dapr's): a client of
 * `dapr.proto.runtime.v1.Dapr`, and an app serving the job callback.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'vitest';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROTO_ROOT = fileURLToPath(new URL('../../proto', import.meta.url));
const FILES = ['dapr/proto/runtime/v1/dapr.proto', 'dapr/proto/runtime/v1/appcallback.proto'];

const definition = protoLoader.loadSync(FILES, { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true, includeDirs: [PROTO_ROOT] });
/** `dapr.proto.runtime.v1` as an SDK loads it: the reference the server's own definitions are checked against. */
export const runtime = (grpc.loadPackageDefinition(definition) as any).dapr.proto.runtime.v1;

/** For decoding what arrives in Any fields and in grpc-status-details-bin. */
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(PROTO_ROOT, target));
root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto', 'google/protobuf/struct.proto', 'google/protobuf/wrappers.proto'], { keepCase: true });

export interface WireAny {
  type_url: string;
  value: Buffer;
}

export function packValue(json: unknown): WireAny {
  const type = root.lookupType('google.protobuf.Value');
  return { type_url: 'type.googleapis.com/google.protobuf.Value', value: Buffer.from(type.encode(type.fromObject(toValue(json))).finish()) };
}

export function packString(text: string): WireAny {
  const type = root.lookupType('google.protobuf.StringValue');
  return { type_url: 'type.googleapis.com/google.protobuf.StringValue', value: Buffer.from(type.encode({ value: text }).finish()) };
}

export function unpackValue(any: WireAny): unknown {
  expect(any.type_url).toBe('type.googleapis.com/google.protobuf.Value');
  const type = root.lookupType('google.protobuf.Value');
  return fromValue(type.toObject(type.decode(any.value)));
}

function fromValue(v: any): unknown {
  if (v.structValue) return Object.fromEntries(Object.entries(v.structValue.fields ?? {}).map(([k, x]) => [k, fromValue(x)]));
  if (v.listValue) return (v.listValue.values ?? []).map(fromValue);
  if ('stringValue' in v) return v.stringValue;
  if ('numberValue' in v) return v.numberValue;
  if ('boolValue' in v) return v.boolValue;
  return null;
}

function toValue(json: unknown): object {
  if (json === null) return { nullValue: 0 };
  if (typeof json === 'number') return { numberValue: json };
  if (typeof json === 'string') return { stringValue: json };
  if (typeof json === 'boolean') return { boolValue: json };
  if (Array.isArray(json)) return { listValue: { values: json.map(toValue) } };
  return { structValue: { fields: Object.fromEntries(Object.entries(json as object).map(([k, v]) => [k, toValue(v)])) } };
}

export interface DecodedStatus {
  code: number;
  message: string;
  errorInfo?: { reason: string; domain: string; metadata: Record<string, string> };
  badRequest?: { field_violations: { field: string; description: string }[] };
  detailCount: number;
}

/** The rich status a failed call carried in grpc-status-details-bin. */
export function decodeStatus(error: grpc.ServiceError): DecodedStatus {
  const raw = error.metadata.get('grpc-status-details-bin')[0] as Buffer | undefined;
  expect(raw, 'grpc-status-details-bin').toBeDefined();
  const statusType = root.lookupType('google.rpc.Status');
  const status = statusType.toObject(statusType.decode(raw!), { defaults: true }) as { code: number; message: string; details: WireAny[] };
  const out: DecodedStatus = { code: status.code, message: status.message, detailCount: status.details.length };
  for (const detail of status.details) {
    const name = detail.type_url.replace('type.googleapis.com/', '');
    const type = root.lookupType(name);
    const decoded = type.toObject(type.decode(detail.value), { defaults: true });
    if (name === 'google.rpc.ErrorInfo') out.errorInfo = decoded as DecodedStatus['errorInfo'];
    if (name === 'google.rpc.BadRequest') out.badRequest = decoded as DecodedStatus['badRequest'];
  }
  return out;
}

/** A Dapr gRPC client with promise-returning calls; rejections are grpc ServiceErrors. */
export class DaprGrpcClient {
  private readonly client: grpc.Client & Record<string, Function>;

  constructor(address: string) {
    this.client = new runtime.Dapr(address, grpc.credentials.createInsecure());
  }

  call<T = any>(method: string, request: object = {}): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method]!(request, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response)));
    });
  }

  /** The error a call fails with (the test fails if it succeeds). */
  async failure(method: string, request: object = {}): Promise<grpc.ServiceError> {
    try {
      await this.call(method, request);
    } catch (error) {
      return error as grpc.ServiceError;
    }
    throw new Error(`${method} succeeded; expected an error`);
  }

  close(): void {
    this.client.close();
  }
}

/** Calls Dapr methods this client's trimmed service does not list (to see UNIMPLEMENTED). */
export function rawUnary(address: string, path: string): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (error) => {
      client.close();
      resolve(error);
    });
  });
}

export interface JobEvent {
  service: 'AppCallback' | 'AppCallbackAlpha';
  name: string;
  method: string;
  content_type: string;
  verb: string | undefined;
  data: WireAny;
  metadata: Record<string, string>;
  /** performance.timeOrigin + performance.now() at arrival, ms. */
  at: number;
}

/**
 * An app serving the job callback: OnJobEventAlpha1 always, OnJobEvent when `stable` (a
 * Dapr 1.18 app); `respond` gives the status code to answer with (0 = OK).
 */
export class GrpcApp {
  readonly events: JobEvent[] = [];
  respond: (event: JobEvent) => number = () => grpc.status.OK;
  private server: grpc.Server | undefined;

  async start(options: { stable: boolean }): Promise<string> {
    this.server = new grpc.Server();
    const handler = (service: JobEvent['service']) => (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<object>) => {
      const request = call.request;
      const event: JobEvent = {
        service,
        name: request.name,
        method: request.method,
        content_type: request.content_type,
        verb: request.http_extension?.verb,
        data: request.data,
        metadata: Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)])),
        at: performance.timeOrigin + performance.now(),
      };
      this.events.push(event);
      const code = this.respond(event);
      if (code === grpc.status.OK) callback(null, {});
      else callback({ code, details: `handler failed (${grpc.status[code]})` });
    };
    this.server.addService(runtime.AppCallbackAlpha.service, { OnJobEventAlpha1: handler('AppCallbackAlpha') });
    if (options.stable) this.server.addService(runtime.AppCallback.service, { OnJobEvent: handler('AppCallback') });
    const port = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    return `http://127.0.0.1:${port}`;
  }

  forJob(name: string): JobEvent[] {
    return this.events.filter((e) => e.name === name);
  }

  async stop(): Promise<void> {
    this.server?.forceShutdown();
  }
}
