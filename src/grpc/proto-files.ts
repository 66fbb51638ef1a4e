/**
 * The project's .proto files (proto/, trimmed from Dapr v1.18.3), parsed once at run time into
 * a protobufjs Root: grpc-js service definitions for serving and calling are built from it, and
 * the messages Chime encodes by hand (google.protobuf.Value inside Any, google.rpc.Status
 * details) come from it too.
 *
 * The service definitions are built here rather than by @grpc/proto-loader: its
 * `loadSync` also encodes a descriptor of every file and message for gRPC reflection, which
 * Chime does not serve, and that was 32 of its 47 ms, on the path to ready at every start
 * (docs/benchmarks.md, "Start-up: the gRPC services without reflection descriptors"). The
 * codecs are proto-loader's own: `fromObject` then `encode` out, `decode` then `toObject` in,
 * with its options. The tests' Dapr clients still load the files through proto-loader, as an
 * SDK does, so the two are checked against each other on the wire.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** src/grpc and dist/grpc are both two levels below the package root, where proto/ ships. */
export const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');

export const DAPR_PROTO_FILES = [
  'dapr/proto/runtime/v1/dapr.proto',
  'dapr/proto/runtime/v1/appcallback.proto',
  'google/rpc/status.proto',
  'google/rpc/error_details.proto',
] as const;

/**
 * How a decoded message becomes an object (proto-loader's options of the same names): proto
 * field names (snake_case, kept at parse) as keys, enums as names, 64-bit numbers as JS
 * numbers, `oneofs` so proto3 `optional` presence is visible, and no defaults filled in, so an
 * unset `schedule` stays distinguishable from an empty one.
 */
const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: false, oneofs: true };

let cachedRoot: protobuf.Root | undefined;
const services = new Map<string, grpc.ServiceClientConstructor>();

function checkProtoDir(): void {
  if (!existsSync(join(PROTO_DIR, DAPR_PROTO_FILES[0]))) {
    throw new Error(`the Dapr .proto files are missing from ${PROTO_DIR} (they ship in the package's proto/ folder)`);
  }
}

/** A protobufjs Root holding the same files, for encoding messages by hand. */
export function daprProtoRoot(): protobuf.Root {
  if (!cachedRoot) {
    checkProtoDir();
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(PROTO_DIR, target));
    root.loadSync([...DAPR_PROTO_FILES, 'google/protobuf/struct.proto'], { keepCase: true });
    root.resolveAll();
    cachedRoot = root;
  }
  return cachedRoot;
}

/** The serializer and deserializer grpc-js calls for one message type. */
function codec(type: protobuf.Type): { serialize: grpc.serialize<object>; deserialize: grpc.deserialize<object> } {
  return {
    serialize: (value) => type.encode(type.fromObject(value)).finish() as Buffer,
    deserialize: (bytes) => type.toObject(type.decode(bytes), TO_OBJECT_OPTIONS),
  };
}

/** A grpc-js service definition of a protobufjs service: each method's path and codecs. */
function serviceDefinition(service: protobuf.Service): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    const request = codec(method.resolvedRequestType!);
    const response = codec(method.resolvedResponseType!);
    definition[method.name] = {
      path: `/${service.fullName.slice(1)}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: request.serialize,
      requestDeserialize: request.deserialize,
      responseSerialize: response.serialize,
      responseDeserialize: response.deserialize,
    };
  }
  return definition;
}

/** `dapr.proto.runtime.v1.<name>` as a grpc-js service client/definition constructor. */
export function daprService(name: 'Dapr' | 'AppCallback' | 'AppCallbackAlpha'): grpc.ServiceClientConstructor {
  let constructor = services.get(name);
  if (!constructor) {
    const fullName = `dapr.proto.runtime.v1.${name}`;
    constructor = grpc.makeGenericClientConstructor(serviceDefinition(daprProtoRoot().lookupService(fullName)), fullName);
    services.set(name, constructor);
  }
  return constructor;
}
