import { Pool } from 'undici';
import http from 'node:http';
import { fork } from 'node:child_process';
const recv = fork('/work/tools/receiver.mjs', ['4998']);
await new Promise((r) => recv.once('message', r));
const pool = new Pool('http://127.0.0.1:4998', { connections: 50, pipelining: 1, keepAliveTimeout: 30000 });
const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
const viaUndici = async (i) => { const r = await pool.request({ method: 'POST', path: '/x', body: JSON.stringify({ i }), headers: { 'content-type': 'application/json' } }); await r.body.text(); };
const viaHttp = (i) => new Promise((res, rej) => { const body = JSON.stringify({ i }); const req = http.request({ host: '127.0.0.1', port: 4998, path: '/x', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => { r.resume(); r.on('end', res); }); req.on('error', rej); req.end(body); });
for (const [name, fn] of []) {
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const times = await Promise.all(Array.from({ length: 50 }, async (_, i) => { await fn(i); return performance.now() - t0; }));
    times.sort((a, b) => a - b);
    console.log(`${name} round ${round}: first ${times[0].toFixed(1)} ms, median ${times[25].toFixed(1)}, last ${times[49].toFixed(1)}`);
  }
}
// sequential throughput, 2000 requests at 50 in flight
for (const [name, fn] of [['undici', viaUndici], ['http', viaHttp], ['undici', viaUndici], ['http', viaHttp], ['undici', viaUndici], ['http', viaHttp]]) {
  const t0 = performance.now(); let next = 0;
  await Promise.all(Array.from({ length: 50 }, async () => { while (next < 4000) { next++; await fn(next); } }));
  console.log(`${name}: 4000 at c=50: ${(4000 / ((performance.now() - t0) / 1000)).toFixed(0)}/s`);
}
await pool.close(); agent.destroy(); recv.kill();
