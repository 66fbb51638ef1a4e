/**
 * HTTP load generator, run as its own process so its CPU use does not compete
 * with the harness's event loop (the harness spawns it; it can also be run by
 * hand). Drives N requests at concurrency C over a keep-alive undici Pool and
 * prints one JSON `LoadgenResult` on stdout. With `--warmup-requests W` it first sends W
 * requests that are not counted (their `{i}` runs N..N+W-1, so the counted ones keep 0..N-1):
 * a fresh server and this fresh process both run their first thousands of requests through
 * code V8 has not yet optimised, which is not the rate a running service serves at.
 *
 *   node dist-bench/loadgen.js --origin http://127.0.0.1:4100 --method POST \
 *     --path '/api/v1/jobs' --body '{"name":"job-{i}"}' \
 *     --header 'content-type: application/json' --requests 10000 --concurrency 50
 */
import { parseSpec, runLoad } from './loadgen-run.js';

try {
  const result = await runLoad(parseSpec(process.argv.slice(2)));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`loadgen: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
