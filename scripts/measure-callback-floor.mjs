#!/usr/bin/env node
/**
 * The machine's floor for a callback, with no scheduler: one process waits for each due time
 * (a timer, then setImmediate turns, as Chime's SystemClock does) and POSTs over an undici
 * keep-alive Pool to a plain Node receiver in a child process, which records arrival minus due
 * time. What workload 4's callback row (2,000 jobs 5 ms apart) could reach here at best.
 *
 *   node scripts/measure-callback-floor.mjs [requests=1000] [gapMs=5]
 *
 * Prints p50, p99, min and max lateness in ms (nearest rank).
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { Pool } from 'undici';

if (process.argv[2] === '--receiver') {
  const lateness = [];
  const expected = Number(process.argv[3]);
  const server = http.createServer((req, res) => {
    lateness.push(performance.timeOrigin + performance.now() - Number(req.headers['x-due']));
    req.resume();
    req.on('end', () => {
      res.end('ok');
      if (lateness.length === expected) process.send(lateness, () => process.exit(0));
    });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
} else {
  const requests = Number(process.argv[2] ?? 1000);
  const gapMs = Number(process.argv[3] ?? 5);
  const receiver = fork(new URL(import.meta.url).pathname, ['--receiver', String(requests)]);
  const messages = [];
  let wake;
  receiver.on('message', (message) => {
    messages.push(message);
    wake?.();
  });
  const next = async () => {
    while (messages.length === 0) await new Promise((resolve) => (wake = resolve));
    return messages.shift();
  };
  const { port } = await next();
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 4 });
  for (let i = 0; i < requests; i++) {
    const due = Date.now() + gapMs;
    await new Promise((resolve) => setTimeout(resolve, gapMs - 2));
    while (Date.now() < due) await new Promise((resolve) => setImmediate(resolve));
    void pool.request({ path: '/', method: 'POST', headers: { 'x-due': String(due) }, body: 'x' }).then((response) => response.body.dump());
  }
  const lateness = (await next()).sort((a, b) => a - b);
  const rank = (p) => lateness[Math.min(lateness.length - 1, Math.ceil(p * lateness.length) - 1)].toFixed(2);
  console.log(`${requests} requests ${gapMs} ms apart: p50 ${rank(0.5)} ms, p99 ${rank(0.99)} ms, min ${lateness[0].toFixed(2)} ms, max ${lateness.at(-1).toFixed(2)} ms`);
  await pool.close();
}
