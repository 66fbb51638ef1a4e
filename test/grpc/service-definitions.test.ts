/**
 * The grpc-js service definitions Chime builds from its protobufjs Root (src/grpc/proto-files.ts)
 * against the ones @grpc/proto-loader builds from the same files, as a Dapr SDK would: the same
 * methods at the same paths, and messages that one side encodes and the other decodes alike.
 */
import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { daprService } from '../../src/grpc/proto-files.js';
import { runtime as reference } from '../support/dapr-grpc.js';

const SERVICES = ['Dapr', 'AppCallback', 'AppCallbackAlpha'] as const;

/** Messages as the server and the callback client meet them: optional fields, Any, an enum-free oneof. */
const SAMPLES: Record<string, object> = {
  ScheduleJobAlpha1: {
    job: { name: 'nightly', schedule: '@every 1h', repeats: 3, due_time: '2026-12-06T00:00:00Z', ttl: '2h', data: { type_url: 'type.googleapis.com/google.protobuf.StringValue', value: Buffer.from([10, 2, 104, 105]) } },
    overwrite: true,
  },
  GetJobAlpha1: { name: 'nightly' },
  DeleteJobAlpha1: { name: 'nightly' },
  OnJobEventAlpha1: { name: 'nightly', method: 'job/nightly', content_type: 'application/json', http_extension: { verb: 'POST' } },
  OnJobEvent: { name: 'nightly', method: 'job/nightly', content_type: 'application/json', http_extension: { verb: 'POST' } },
};

describe('gRPC service definitions', () => {
  it.each(SERVICES)('%s: the same methods, paths and streaming as proto-loader builds', (name) => {
    const ours = daprService(name).service;
    const theirs = reference[name].service as grpc.ServiceDefinition;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const [method, definition] of Object.entries(ours)) {
      const other = theirs[method]!;
      expect([definition.path, definition.requestStream, definition.responseStream]).toEqual([other.path, other.requestStream, other.responseStream]);
    }
  });

  it('encodes and decodes each sample message as proto-loader does, both ways', () => {
    let checked = 0;
    for (const name of SERVICES) {
      const ours = daprService(name).service;
      const theirs = reference[name].service as grpc.ServiceDefinition;
      for (const [method, sample] of Object.entries(SAMPLES)) {
        if (!ours[method]) continue;
        const bytes = ours[method].requestSerialize(sample);
        expect(bytes.equals(theirs[method]!.requestSerialize(sample))).toBe(true);
        expect(ours[method].requestDeserialize(bytes)).toEqual(theirs[method]!.requestDeserialize(bytes));
        const reply = theirs[method]!.responseSerialize(method === 'GetJobAlpha1' ? { job: (SAMPLES.ScheduleJobAlpha1 as { job: object }).job } : {});
        expect(ours[method].responseDeserialize(reply)).toEqual(theirs[method]!.responseDeserialize(reply));
        checked++;
      }
    }
    expect(checked).toBe(Object.keys(SAMPLES).length);
  });
});
