import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { specToArgs, type LoadgenResult, type LoadgenSpec } from './loadgen-protocol.js';

const LOADGEN_SCRIPT = fileURLToPath(new URL('./loadgen.js', import.meta.url));

/** Runs `loadgen.js` in a child process and returns its parsed JSON result. */
export function runLoadgen(spec: LoadgenSpec): Promise<LoadgenResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOADGEN_SCRIPT, ...specToArgs(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
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
