/**
 * The CLI as one bundled file (scripts/bundle-server.mjs): bin/chime.js picks it only while it
 * is current, and the bundled server still finds every file its modules read relative to
 * their own place in dist/ (migrations, protos, dashboard, worker threads, package.json).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { startChime, startReceiver, stopChime } from '../support/processes.js';
import { tempDbPath, tempDir } from '../support/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('the bundled CLI', { timeout: 120_000 }, () => {
  it('is built, and current, so every process test runs the bundle', () => {
    // `npm test` builds first (pretest): a missing or stale bundle would leave bin/chime.js on
    // dist/, and the process tests would no longer test what users run.
    const bundle = statSync(join(ROOT, 'dist', 'chime.cjs'));
    expect(bundle.mtimeMs).toBeGreaterThanOrEqual(statSync(join(ROOT, 'dist', '.tsbuildinfo')).mtimeMs);
  });

  it('bin/chime.js runs the bundle only while no compile is newer, and dist/ otherwise', () => {
    // A copy of bin/chime.js beside a stand-in dist/ whose two entry points say which ran.
    const root = tempDir('chime-bin-');
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'chime.js'), join(root, 'bin', 'chime.js'));
    writeFileSync(join(root, 'package.json'), '{"type":"module"}');
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), "export async function main() { console.log('dist'); return 0; }");
    const bundle = join(root, 'dist', 'chime.cjs');
    const buildInfo = join(root, 'dist', '.tsbuildinfo');
    writeFileSync(bundle, "exports.main = async () => { console.log('bundle'); return 0; };");
    writeFileSync(buildInfo, '{}');
    const ran = () => spawnSync(process.execPath, [join(root, 'bin', 'chime.js')], { encoding: 'utf8' }).stdout.trim();
    const setTimes = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

    setTimes(buildInfo, 1_000);
    setTimes(bundle, 2_000);
    expect(ran()).toBe('bundle');
    setTimes(buildInfo, 3_000); // `tsc` alone after the bundle was made
    expect(ran()).toBe('dist');
    rmSync(buildInfo); // an installed package without the compiler's state
    expect(ran()).toBe('bundle');
    rmSync(bundle);
    expect(ran()).toBe('dist');
  });

  it('serves with the store on its thread, gRPC, the dashboard and the API docs, and fires a job', async () => {
    const receiver = await startReceiver();
    onTestFinished(() => receiver.stop());
    const chime = await startChime(['--store', `sqlite:${tempDbPath()}?thread=on`, '--grpc-port', '0', '--app-url', receiver.url]);
    onTestFinished(() => stopChime(chime));
    // The version comes from package.json, read relative to dist/version.js; the gRPC API from
    // the protos in proto/; the store's migrations and its thread from dist/store/sqlite/.
    expect(chime.log()).toContain(`chime ${VERSION} serving`);
    expect(chime.log()).toMatch(/gRPC API \(Dapr jobs\) on \S+:\d+/);

    const dashboard = await fetch(`${chime.url}/ui/`);
    expect(dashboard.status).toBe(200);
    const page = await dashboard.text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script!, `${chime.url}/ui/`));
    expect(asset.status).toBe(200);
    expect(await asset.text()).not.toBe('');

    const docs = await fetch(`${chime.url}/docs/json`);
    expect(docs.status).toBe(200);
    expect(Object.keys(((await docs.json()) as { paths: object }).paths)).toContain('/v1.0/jobs/{name}');
    const docsPage = await fetch(`${chime.url}/docs/static/index.html`);
    expect(docsPage.status).toBe(200);
    expect(await docsPage.text()).toContain('swagger');

    const created = await fetch(`${chime.url}/v1.0/jobs/bundled`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dueTime: '0s', data: { from: 'bundle' } }),
    });
    expect(created.status).toBe(200);
    await waitFor(() => receiver.deliveries.length === 1, 20_000, 'the callback');
    expect(receiver.deliveries[0]!.body).toMatchObject({ job_name: 'bundled', data: { from: 'bundle' } });
  });
});
