import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { specToArgs, type LoadgenResult, type LoadgenSpec } from './loadgen-protocol.js';

const LOADGEN_SCRIPT = fileURLToPath(new URL('./loadgen.js', import.meta.url));

const GRPC_LOADGEN_SCRIPT = fileURLToPath(new URL('./grpc-loadgen.js', import.meta.url));

/** Runs `loadgen.js` in a child process and returns its parsed JSON result. */
export function runLoadgen(spec: LoadgenSpec): Promise<LoadgenResult> {
  return runLoadgenScript(LOADGEN_SCRIPT, specToArgs(spec));
}

/** Runs `grpc-loadgen.js`: `requests` calls of a Dapr jobs method at `concurrency`. */
export function runGrpcLoadgen(spec: {
  address: string;
  method: 'ScheduleJobAlpha1' | 'GetJobAlpha1';
  requests: number;
  warmupRequests?: number;
  concurrency: number;
}): Promise<LoadgenResult> {
  const args = ['--address', spec.address, '--method', spec.method, '--requests', String(spec.requests)];
  args.push('--warmup-requests', String(spec.warmupRequests ?? 0), '--concurrency', String(spec.concurrency));
  return runLoadgenScript(GRPC_LOADGEN_SCRIPT, args);
}

function runLoadgenScript(script: string, args: string[]): Promise<LoadgenResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`loadgen exited with ${code}: ${stderr.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as LoadgenResult);
      } catch (error) {
        reject(new Error(`loadgen printed no JSON result: ${stdout.slice(0, 200)}`, { cause: error }));
      }
    });
  });
}
