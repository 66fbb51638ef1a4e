/**
 * Operating a real `chime serve`: start-up failures exit non-zero with one line, logs of a
 * failing callback, and a real Prometheus server scraping /metrics.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/private-stores.js';
import { CHIME_BIN, runChime, startChime, stopChime, type ChimeProcess } from '../support/processes.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { tempDbPath, tempDir } from '../support/temp.js';

async function listenOnFreePort(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('operations', () => {
  let chime: ChimeProcess | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    if (chime) await stopChime(chime);
    chime = undefined;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('exits 3 at once, naming the port, when the port is in use', async () => {
    const taken = await listenOnFreePort();
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as { port: number }).port;
    // What a start costs on this machine right now (mostly Node loading modules), so the bound
    // below holds on a busy machine too: exiting "at once" means no retrying on a taken port.
    const loadStarted = Date.now();
    await runChime(['serve', '--help']);
    const loadMs = Date.now() - loadStarted;
    const started = Date.now();
    const result = await runChime(['serve', '--no-grpc', '--port', String(port), '--store', `sqlite:${tempDbPath()}`, '--log-level', 'error']);
    const elapsed = Date.now() - started;
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toEqual([`error: cannot listen on 127.0.0.1:${port}: port ${port} is already in use (EADDRINUSE); pick another with --port or stop the other process`]);
    // 0.6 s on an idle machine; a bind retried even once (as the store is) would add seconds.
    expect(elapsed).toBeLessThan(3 * loadMs + 3000);
  });

  it('exits 4 with one line when the store stays unreachable through its retries, without its password', async () => {
    const port = await freePort();
    const result = await runChime(['serve', '--no-grpc', '--port', '0', '--store', `postgres://chime:hunter2@127.0.0.1:${port}/chime`, '--log-level', 'error']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: the store postgres \(.*\) is unreachable after 6 attempts: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('hunter2');
  });

  it('logs a failing callback as JSON lines naming the job, the attempt and the status; pretty on a terminal', async () => {
    const receiver = new Receiver();
    receiver.respond = () => 503;
    const appUrl = await receiver.start();
    cleanups.push(() => receiver.stop());
    const store = `sqlite:${tempDbPath()}`;
    chime = await startChime(['--store', store, '--app-url', appUrl, '--max-retries', '1', '--retry-interval', '100ms', '--jwt-secret', 'top-secret-value-0123456789']);
    await fetch(`${chime.url}/v1.0/jobs/nightly`, { method: 'POST', body: JSON.stringify({ dueTime: '0s' }) });
    await waitFor(() => /dead-lettered/.test(chime!.log()), 10_000, 'the dead-letter line');
    const records = chime
      .log()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const failures = records.filter((r) => r.job_name === 'nightly');
    expect(failures.map((r) => [r.level, r.attempt, r.http_status, r.outcome])).toEqual([
      ['warn', 1, 503, 'retrying'],
      ['warn', 2, 503, 'dead_lettered'],
    ]);
    expect(failures[0]!.msg).toBe('job nightly attempt 1 will retry: app answered HTTP 503: {"status":"failed"}');
    expect(chime.log()).not.toContain('top-secret-value');

    // `script` gives the process a terminal: the log turns human-readable by itself. The shell
    // waits for /livez (however slow the machine), then stops the server.
    const port = await freePort();
    const serve = `${process.execPath} ${CHIME_BIN} serve --port ${port} --no-grpc --store sqlite:${tempDbPath()} --drain-grace 0`;
    const waitLive = `for i in $(seq 1 150); do curl -sf -o /dev/null http://127.0.0.1:${port}/livez && break; sleep 0.2; done`;
    const tty = spawnSync('script', ['-qec', `${serve} & ${waitLive}; kill -TERM $!; wait`, '/dev/null'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(tty.stdout).toMatch(/INFO.*chime \S+ serving http:\/\/127\.0\.0\.1:\d+/);
    expect(tty.stdout).not.toMatch(/"level":/);
  });

  it('is scraped by a real Prometheus: lateness histogram, attempts by outcome and dead letters as caused', async () => {
    const receiver = new Receiver();
    receiver.respond = (request) => ((request.body as { job_name?: string })?.job_name?.startsWith('bad') ? 500 : 200);
    const appUrl = await receiver.start();
    cleanups.push(() => receiver.stop());
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`, '--app-url', appUrl, '--max-retries', '0']);
    const target = new URL(chime.url).host;

    const dir = tempDir();
    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: chime\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const prometheus = spawn(
      '/usr/bin/prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let promLog = '';
    prometheus.stderr.setEncoding('utf8').on('data', (chunk: string) => (promLog += chunk));
    cleanups.push(async () => {
      prometheus.kill('SIGTERM');
      await new Promise((resolve) => prometheus.once('exit', resolve));
    });

    for (const name of ['good-1', 'good-2', 'good-3', 'bad-1', 'bad-2']) {
      const response = await fetch(`${chime.url}/v1.0/jobs/${name}`, { method: 'POST', body: JSON.stringify({ dueTime: '1s' }) });
      expect(response.status).toBeLessThan(300);
    }
    await waitFor(() => receiver.received.length === 5, 15_000, 'five callbacks');

    const query = async (expr: string): Promise<number | null> => {
      const response = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`).catch(() => null);
      if (!response?.ok) return null;
      const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
      const first = body.data.result[0];
      return first ? Number(first.value[1]) : null;
    };
    const expectSeries = async (expr: string, expected: number) => {
      const deadline = Date.now() + 30_000;
      let last: number | null = null;
      while ((last = await query(expr)) !== expected) {
        if (Date.now() > deadline) throw new Error(`${expr}: ${last}, expected ${expected}; prometheus log:\n${promLog.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    await expectSeries('sum(chime_dead_letters)', 2);
    await expectSeries('sum(chime_job_attempts_total{outcome="dead_lettered"})', 2);
    await expectSeries('sum(chime_job_attempts_total{outcome="succeeded"})', 3);
    await expectSeries('sum(chime_fire_lateness_seconds_count{lane="callback"})', 5);
    // The histogram has the fine buckets, and a quantile over it is a number of seconds.
    await expectSeries('count(chime_fire_lateness_seconds_bucket{le=~"0.001|0.002|0.005"})', 3);
    const p99 = await query('histogram_quantile(0.99, sum by (le) (chime_fire_lateness_seconds_bucket))');
    expect(p99).not.toBeNull();
    expect(p99!).toBeGreaterThanOrEqual(0);
    expect(p99!).toBeLessThan(5);
  }, 120_000);
});
