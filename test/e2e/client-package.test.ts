/**
 * The client package as a user gets it: `npm pack`, installed into an empty folder, its README
 * example run there against a real `chime serve`; and `chime token` finding (or plainly not
 * finding) the server's data directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runChime, startChime, stopChime, type ChimeProcess } from '../support/processes.js';
import { tempDir } from '../support/temp.js';

const CLIENT_DIR = fileURLToPath(new URL('../../packages/client/', import.meta.url));

/** The first ```js block of the client README. */
function readmeExample(): string {
  const readme = readFileSync(join(CLIENT_DIR, 'README.md'), 'utf8');
  const match = /```js\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('packages/client/README.md has no ```js example');
  return match[1]!;
}

describe('client package and data dir', () => {
  let chime: ChimeProcess | undefined;

  afterEach(async () => {
    if (chime) await stopChime(chime);
    chime = undefined;
  });

  it('packs, installs into an empty folder without the server, and runs its README example against chime serve', async () => {
    const packs = tempDir();
    const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    npm(['pack', '--pack-destination', packs, '--silent'], CLIENT_DIR);
    const tarball = readdirSync(packs).find((name) => name.endsWith('.tgz'));
    expect(tarball).toMatch(/^chime-scheduler-client-\d+\.\d+\.\d+\.tgz$/);

    const project = tempDir();
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(packs, tarball!)], project);
    const installed = join(project, 'node_modules');
    expect(existsSync(join(installed, '@chime-scheduler/client/dist/client/index.js'))).toBe(true);
    // Dependency-light: none of the server's parts come along.
    for (const heavy of ['better-sqlite3', 'fastify', 'pg', 'ioredis', '@chime-scheduler/server']) expect(existsSync(join(installed, heavy))).toBe(false);
    expect(existsSync(join(installed, '@chime-scheduler/client/dist/client/testing.js'))).toBe(false);

    const dataDir = tempDir();
    chime = await startChime(['--store', `sqlite:${join(dataDir, 'chime.db')}`]);
    const token = await runChime(['token', '--data-dir', dataDir]);
    expect(token.code, token.stderr).toBe(0);
    writeFileSync(join(project, 'example.mjs'), readmeExample());
    const output = execFileSync(process.execPath, ['example.mjs'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, CHIME_URL: chime.url, CHIME_TOKEN: token.stdout.trim() },
      timeout: 30_000,
    });
    expect(output).toMatch(/^daily-report: scheduled, next at \d{4}-\d\d-\d\dT/m);
    expect(output).toMatch(/^task jobs: 0$/m);
  });

  it('chime token reads the secret of the server it is pointed at, and says where it looked when there is none', async () => {
    const empty = tempDir();
    const missing = await runChime(['token'], { CHIME_DATA_DIR: empty, CHIME_JWT_SECRET: '' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no server secret at ${join(empty, 'jwt-secret')} (the data dir from CHIME_DATA_DIR)`);
    expect(existsSync(join(empty, 'jwt-secret'))).toBe(false);

    const store = tempDir();
    const fromStore = await runChime(['token', '--store', `sqlite:${join(store, 'chime.db')}`], { CHIME_DATA_DIR: '', CHIME_JWT_SECRET: '' });
    expect(fromStore.code).toBe(1);
    expect(fromStore.stderr).toContain(`no server secret at ${join(store, 'jwt-secret')} (the data dir from the folder of the store --store)`);
  });
});
