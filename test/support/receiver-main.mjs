// A callback receiver in its own process: prints one JSON line per request on stdout.
// Env: RECEIVER_STATUS (default 200), RECEIVER_DELAY_MS (default 0), RECEIVER_PORT (default 0).
import http from 'node:http';

const status = Number(process.env.RECEIVER_STATUS ?? 200);
const delayMs = Number(process.env.RECEIVER_DELAY_MS ?? 0);
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    process.stdout.write(
      `${JSON.stringify({ at, method: req.method, path: req.url, body: raw ? JSON.parse(raw) : null, attempt: req.headers['chime-attempt'], jobId: req.headers['chime-job-id'], node: req.headers['chime-node'] })}\n`,
    );
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status < 300 ? '{"status":"success"}' : '{"status":"failed"}');
    }, delayMs);
  });
});
server.listen(Number(process.env.RECEIVER_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});
