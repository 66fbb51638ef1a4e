/**
 * A fresh server runs its first callbacks through cold code: V8 compiles each function on
 * its first call, undici's HTTP parser is WebAssembly compiled function by function as it is
 * first used, and the first HMAC and the first connections set up what later ones reuse.
 * Measured on the Dapr-style callback path (2,000 jobs due over 10 s): the first 5–8
 * callbacks after start arrived 10–25 ms late, the rest within 5 ms (docs/benchmarks.md,
 * "The first callbacks after start"). So the server, beside its start, sends requests through
 * the same code to a listener of its own on the loopback interface: the body, the headers and
 * the signature are built as for a job, the request goes through a keep-alive pool, and the
 * answer is read. Nothing leaves the process and nothing is stored.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../core/clock.js';
import { runWarmUpJobs, WARM_UP_LANES } from '../../core/runner-warm-up.js';
import { CallbackDelivery, type CallbackDeliveryOptions } from './callback-delivery.js';

/**
 * Sends WARM_UP_LANES × WARM_UP_REQUESTS_PER_LANE requests through a CallbackDelivery made
 * with `options` (its app URL replaced by the local listener; no traceparent callback, so no
 * spans) and resolves with how many were answered 2xx. Never rejects: a warm-up that cannot
 * run leaves the first callbacks as slow as they were, nothing worse.
 */
export async function warmCallbackDelivery(options: CallbackDeliveryOptions, clock: Clock): Promise<number> {
  let listener: Server | undefined;
  let delivery: CallbackDelivery | undefined;
  try {
    listener = await listenOnLoopback();
    const { port } = listener.address() as AddressInfo;
    delivery = new CallbackDelivery({ ...options, appUrl: `http://127.0.0.1:${port}`, connections: WARM_UP_LANES, traceparent: undefined }, clock);
    return await runWarmUpJobs(delivery, clock);
  } catch {
    return 0;
  } finally {
    await delivery?.close().catch(() => {});
    if (listener) {
      listener.closeAllConnections();
      await new Promise((resolve) => listener!.close(resolve));
    }
  }
}

/** Answers every request 200 once its body is read, as an app does. */
function listenOnLoopback(): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"success"}');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
