// A callback receiver in its own process: prints one JSON line per request on stdout.
// Env: RECEIVER_STATUS (default 200), RECEIVER_DELAY_MS (default 0), RECEIVER_PORT (default 0),
// RECEIVER_HOST (default 127.0.0.1).
// A request to /x/...?status=429&retry_after=2&location=<url>&delay_ms=5000&fail_first=1 is
// answered as its query says (fail_first=N: only the first N requests to that path get
// `status`, later ones 200), so one receiver can play several targets.
import http from 'node:http';

const status = Number(process.env.RECEIVER_STATUS ?? 200);
const delayMs = Number(process.env.RECEIVER_DELAY_MS ?? 0);
const seen = new Map();
const KEPT_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'dapr-api-token', 'content-type', 'chime-job-name'];

function behaviour(url) {
  if (!url.startsWith('/x/')) return { status, delayMs, headers: {} };
  const parsed = new URL(url, 'http://receiver');
  const q = parsed.searchParams;
  const count = (seen.get(parsed.pathname) ?? 0) + 1;
  seen.set(parsed.pathname, count);
  const failing = !q.has('fail_first') || count <= Number(q.get('fail_first'));
  const headers = {};
  if (failing && q.has('retry_after')) headers['retry-after'] = q.get('retry_after');
  if (failing && q.has('location')) headers.location = q.get('location');
  return { status: failing ? Number(q.get('status') ?? 200) : 200, delayMs: Number(q.get('delay_ms') ?? 0), headers };
}

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    let body = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const headers = Object.fromEntries(KEPT_HEADERS.filter((h) => req.headers[h] !== undefined).map((h) => [h, req.headers[h]]));
    process.stdout.write(
      `${JSON.stringify({ at, method: req.method, path: req.url, body, raw, headers, attempt: req.headers['chime-attempt'], jobId: req.headers['chime-job-id'], node: req.headers['chime-node'] })}\n`,
    );
    const reply = behaviour(req.url ?? '/');
    setTimeout(() => {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.status < 300 ? '{"status":"success"}' : '{"status":"failed"}');
    }, reply.delayMs);
  });
});
server.listen(Number(process.env.RECEIVER_PORT ?? 0), process.env.RECEIVER_HOST ?? '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});
