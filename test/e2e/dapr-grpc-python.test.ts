/**
 * The gRPC jobs API driven by Python's grpcio (Debian python3-grpcio, python3-protobuf), with
 * stubs the script generates from the project's protos at test time (protoc and
 * grpc_python_plugin from Debian's protobuf-compiler and protobuf-compiler-grpc).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChimeServer } from '../../src/server/start-server.js';
import { PROTO_ROOT } from '../support/dapr-grpc.js';
import { startTestServer } from '../support/server.js';

/** Debian's interpreter, where python3-grpcio lives (a pyenv python3 on PATH may lack it). */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../fixtures/dapr_grpc_client.py', import.meta.url));

let server: ChimeServer;

beforeAll(async () => {
  server = await startTestServer({ grpcPort: 0 });
});

afterAll(async () => {
  await server.close();
});

function runPython(address: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, PROTO_ROOT, address], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a Python grpcio client', () => {
  it('schedules, gets, lists, overwrites, deletes by prefix and deletes, and reads rich errors', async () => {
    const result = await runPython(`127.0.0.1:${server.grpcPort}`);
    expect(result.code, result.stderr).toBe(0);
    const seen = JSON.parse(result.stdout);
    expect(seen.data).toEqual({ task_id: 42 });
    expect(seen.listed).toEqual(['py-batch-1', 'py-batch-2', 'py-keep', 'py-reminder']);
    expect(seen.after_prefix_delete).toEqual(['py-keep', 'py-reminder']);
    const errorInfo = (reason: string) => ({ type: 'ErrorInfo', reason, domain: 'dapr.io', metadata: { appID: 'chime', namespace: 'default' } });
    expect(seen.duplicate).toEqual({
      code: 6,
      message: "failed to schedule job due to: rpc error: code = AlreadyExists desc = job already exists: 'app||default||chime||py-reminder'",
      details: [errorInfo('DAPR_SCHEDULER_SCHEDULE_JOB')],
    });
    expect(seen.not_found).toMatchObject({ code: 5, details: [errorInfo('DAPR_SCHEDULER_GET_JOB')] });
    expect(seen.bad_input).toMatchObject({ code: 3, details: [errorInfo('DAPR_SCHEDULER_SCHEDULE_JOB'), { type: 'BadRequest', fields: ['schedule'] }] });
    expect(seen.bad_input.message).toMatch(/^failed to schedule job due to: schedule: /);
    expect(seen.empty_schedule).toEqual({ code: 3, message: 'Schedule is empty', details: [errorInfo('DAPR_SCHEDULER_SCHEDULE_EMPTY')] });
    // Nothing left behind, as seen from HTTP.
    expect((await server.app.inject({ url: '/v1.0/jobs?prefix=py-' })).json().jobs).toEqual([]);
  });
});
