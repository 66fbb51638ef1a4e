/**
 * The CLI as one bundled file (scripts/bundle-server.mjs): bin/chime.js picks it only while it
 * is current, and the bundled server still finds every file its modules read relative to
 * their own place in dist/ (migrations, protos, dashboard, worker threads, package.json).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { bundleCachePath, loadBundle, writeBundleCache } from '../../bin/load-bundle.js';
import { waitFor } from '../support/receiver.js';
import { startChime, startReceiver, stopChime } from '../support/processes.js';
import { dropCreatedStores, freshStoreSpec } from '../support/store-backend.js';
import { tempDbPath, tempDir } from '../support/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const BUNDLE = join(ROOT, 'dist', 'chime.cjs');
/** Clients Chime imports only when configured, left outside the bundle (scripts/bundle-server.mjs). */
const LOADED_WHEN_CONFIGURED = ['pg', 'nats', 'amqplib', 'mqtt'];

afterAll(() => dropCreatedStores());

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
    copyFileSync(join(ROOT, 'bin', 'load-bundle.js'), join(root, 'bin', 'load-bundle.js'));
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

  it("loads with the compiled code the build kept for it, and without it when that is stale or another V8's", () => {
    // The real bundle, in a process of its own as bin/chime.js runs it: V8 takes the build's cache.
    const script = `import { loadBundle } from ${JSON.stringify(join(ROOT, 'bin', 'load-bundle.js'))};
      const { exports, cache } = loadBundle(${JSON.stringify(BUNDLE)});
      console.log(cache, typeof exports.main);`;
    const real = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(real.stdout.trim()).toBe('used function');

    // A stand-in bundle, its dynamic import() rewritten as the build rewrites it.
    const bundle = join(tempDir('chime-cache-'), 'chime.cjs');
    writeFileSync(bundle, 'exports.loaded = () => __chimeImport("node:path").then((path) => path.sep);');
    writeBundleCache(bundle);
    const loaded = loadBundle(bundle);
    expect(loaded.cache).toBe('used');
    return (loaded.exports as { loaded: () => Promise<string> }).loaded().then((separator) => {
      expect(separator).toBe('/');
      // A bundle rebuilt after its cache (V8 checks only the source's length): not offered.
      const cachedAt = statSync(bundleCachePath(bundle)).mtimeMs / 1000;
      utimesSync(bundle, cachedAt + 10, cachedAt + 10);
      expect(loadBundle(bundle).cache).toBe('none');
      // A cache V8 cannot read (another Node.js, other V8 flags): rejected, and the bundle runs.
      // (A source of its own: V8 keeps what this process compiled and would not look at a cache.)
      writeFileSync(bundle, 'exports.loaded = () => "without the cache";');
      writeFileSync(bundleCachePath(bundle), randomBytes(512));
      const rejected = loadBundle(bundle);
      expect(rejected.cache).toBe('rejected');
      expect((rejected.exports as { loaded: () => string }).loaded()).toBe('without the cache');
      rmSync(bundleCachePath(bundle));
      expect(loadBundle(bundle).cache).toBe('none');
    });
  });

  it('leaves the optional clients outside, and finds every package it leaves outside from dist/', () => {
    const source = readFileSync(BUNDLE, 'utf8');
    // esbuild heads each bundled module with a comment naming its file.
    for (const name of LOADED_WHEN_CONFIGURED) expect(source).not.toContain(`\n// node_modules/${name}/`);
    const required = new Set([...source.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]!));
    const packages = [...required].filter((name) => !name.startsWith('node:') && !builtinModules.includes(name));
    expect(packages).toEqual(expect.arrayContaining(LOADED_WHEN_CONFIGURED));
    const fromBundle = createRequire(BUNDLE);
    for (const name of packages) expect(() => fromBundle.resolve(name), name).not.toThrow();
  });

  it('loads the PostgreSQL client and a broker client from node_modules when configured', async () => {
    const receiver = await startReceiver();
    onTestFinished(() => receiver.stop());
    const topic = `chime-bundle-${randomBytes(4).toString('hex')}`;
    const subscriber = await connectAsync('mqtt://127.0.0.1:1883');
    onTestFinished(() => subscriber.endAsync(true));
    const events: { type: string; subject: string }[] = [];
    subscriber.on('message', (_topic, payload) => events.push(JSON.parse(payload.toString()) as (typeof events)[number]));
    await subscriber.subscribeAsync(`${topic}/#`, { qos: 1 });
    const store = freshStoreSpec('postgres');
    const chime = await startChime(['--store', store, '--app-url', receiver.url, '--events-url', `mqtt://127.0.0.1:1883?topic=${topic}`]);
    onTestFinished(() => stopChime(chime));
    const created = await fetch(`${chime.url}/v1.0/jobs/from-bundle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dueTime: '0s' }),
    });
    expect(created.status).toBe(200);
    await waitFor(() => receiver.deliveries.length === 1, 20_000, 'the callback');
    await waitFor(() => events.some((event) => event.type === 'dev.chime.job.succeeded'), 20_000, 'the succeeded event on MQTT');
    expect(events.map((event) => event.subject)).toEqual(events.map(() => 'from-bundle'));
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
