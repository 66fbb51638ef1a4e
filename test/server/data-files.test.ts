/** What a server leaves on disk: private files, and a node id that survives a restart. */
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/open-store.js';
import { claimNodeIdentity, NODE_ID_FILE } from '../../src/server/node-identity.js';
import { loadOrCreateSecret } from '../../src/server/secrets.js';
import { tempDir } from '../support/temp.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('data files', () => {
  it('creates the SQLite file, its -wal, -shm and -due, and the data dir private to the user', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const path = join(dir, 'chime.db');
    const store = await createStore(`sqlite:${path}`);
    await store.open();
    try {
      expect(mode(dir)).toBe(0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-due`]) expect(mode(file), file).toBe(0o600);
    } finally {
      await store.close();
    }
    const secretDir = join(tempDir(), 'secret-dir');
    loadOrCreateSecret(secretDir);
    expect(mode(secretDir)).toBe(0o700);
    expect(mode(join(secretDir, 'jwt-secret'))).toBe(0o600);
  });

  it('keeps one node id per data dir across restarts, and never lends it to two live processes', () => {
    const dir = tempDir();
    const first = claimNodeIdentity(dir, null);
    expect(first.warning).toBeNull();
    expect(mode(join(dir, NODE_ID_FILE))).toBe(0o600);
    // A second live process on the same dir: a distinct id, with a warning.
    writeFileSync(join(dir, 'node-id.lock'), `${process.ppid}\n`);
    const second = claimNodeIdentity(dir, null);
    expect(second.id).not.toBe(first.id);
    expect(second.warning).toContain('in use by process');
    // The holder died (kill -9): its id is taken over by the next start.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, 'node-id.lock'), `${dead}\n`);
    const restarted = claimNodeIdentity(dir, null);
    expect(restarted.id).toBe(first.id);
    expect(restarted.warning).toBeNull();
    restarted.release();
    expect(claimNodeIdentity(dir, 'configured').id).toBe('configured');
  });
});
