/**
 * The project's .proto files (proto/, trimmed from Dapr v1.18.3), loaded at run time: as a
 * @grpc/grpc-js service definition for serving and calling, and as a protobufjs Root for the
 * messages Chime encodes by hand (google.protobuf.Value inside Any, google.rpc.Status details).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
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
 * proto-loader options: proto field names (snake_case) as object keys, enums as names, 64-bit
 * numbers as JS numbers, `oneofs` so proto3 `optional` presence is visible, and no defaults
 * filled in, so an unset `schedule` stays distinguishable from an empty one.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

let cachedGrpc: grpc.GrpcObject | undefined;
let cachedRoot: protobuf.Root | undefined;

function checkProtoDir(): void {
  if (!existsSync(join(PROTO_DIR, DAPR_PROTO_FILES[0]))) {
    throw new Error(`the Dapr .proto files are missing from ${PROTO_DIR} (they ship in the package's proto/ folder)`);
  }
}

/** The loaded `dapr.proto.runtime.v1` (and google.rpc) packages, for grpc-js. */
export function daprGrpcObject(): grpc.GrpcObject {
  if (!cachedGrpc) {
    checkProtoDir();
    cachedGrpc = grpc.loadPackageDefinition(protoLoader.loadSync([...DAPR_PROTO_FILES], LOADER_OPTIONS));
  }
  return cachedGrpc;
}

/** A protobufjs Root holding the same files, for encoding messages by hand. */
export function daprProtoRoot(): protobuf.Root {
  if (!cachedRoot) {
    checkProtoDir();
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(PROTO_DIR, target));
    root.loadSync([...DAPR_PROTO_FILES, 'google/protobuf/struct.proto'], { keepCase: true });
    cachedRoot = root;
  }
  return cachedRoot;
}

/** `dapr.proto.runtime.v1.<name>` as a grpc-js service client/definition constructor. */
export function daprService(name: 'Dapr' | 'AppCallback' | 'AppCallbackAlpha'): grpc.ServiceClientConstructor {
  const runtime = ((daprGrpcObject().dapr as grpc.GrpcObject).proto as grpc.GrpcObject).runtime as grpc.GrpcObject;
  return (runtime.v1 as grpc.GrpcObject)[name] as grpc.ServiceClientConstructor;
}
