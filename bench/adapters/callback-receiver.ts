/**
 * The app a callback system delivers to, in the bench process (rule 2 in ../adapter.ts): a
 * plain Node HTTP server that reads the envelope, calls the listener with `data.i` and answers
 * 200. The raw HTTP ceiling (workload 5) sends the same kind of request to the same server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackReceiverTarget, JobStartListener } from '../adapter.js';

/** Where the server sends callbacks (`--app-url` + Dapr's trigger path). */
const TRIGGER_PATH = '/api/jobs/trigger';

export interface CallbackReceiver {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, the server's `--app-url`. */
  readonly appUrl: string;
  /** Until set, requests are answered and not reported (the raw HTTP ceiling runs before it). */
  listen(listener: JobStartListener): void;
  /** A request shaped like the server's envelope callback (`--callback-style envelope`), for a raw sender. */
  rawTarget(): CallbackReceiverTarget;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  let listener: JobStartListener = () => {};
  const receiver = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      listener((JSON.parse(body) as { data: { i: number } }).data.i);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  const appUrl = `http://127.0.0.1:${port}`;
  return {
    port,
    appUrl,
    listen: (next) => {
      listener = next;
    },
    rawTarget: () => {
      // The envelope delivery-request.ts builds, with the same field order and sizes of values.
      const time = new Date().toISOString();
      return {
        origin: appUrl,
        method: 'POST',
        path: TRIGGER_PATH,
        headers: { 'content-type': 'application/json' },
        body: `{"job_name":"bench-{i}","data":{"i":{i}},"scheduled_time":"${time}","actual_time":"${time}"}`,
      };
    },
    async close() {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    },
  };
}
