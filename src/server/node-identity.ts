/**
 * A node's stable identity: its id in leases and `worker_id`, kept in the data directory
 * (`node-id`, mode 0600) so a restarted node knows which leases were its own and takes them
 * back at once (runtime/start-recovery.ts) instead of waiting for them to run out.
 *
 * Two live processes must never share an id (one would take back the other's running jobs),
 * so the id is claimed with a lock file holding the pid (`node-id.lock`). A second process
 * on the same data directory while the first lives gets a fresh id for its run, with a
 * warning; a lock left by a dead process (kill -9) is taken over.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const NODE_ID_FILE = 'node-id';
const LOCK_FILE = 'node-id.lock';

export interface NodeIdentity {
  id: string;
  /** Why the stored id is not used, when it is not. */
  warning: string | null;
  /** Gives the id up (at shutdown). */
  release(): void;
}

/** The configured id as given, else the data directory's (created on first start). */
export function claimNodeIdentity(dataDir: string, configured: string | null): NodeIdentity {
  if (configured !== null) return { id: configured, warning: null, release: () => {} };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stored = readOrCreate(join(dataDir, NODE_ID_FILE), () => `${hostname()}-${randomBytes(4).toString('hex')}`);
  const lock = join(dataDir, LOCK_FILE);
  const holder = lockHolder(lock);
  if (holder !== null) {
    return {
      id: `${stored}-${process.pid}-${randomBytes(2).toString('hex')}`,
      warning: `node id ${stored} (${join(dataDir, NODE_ID_FILE)}) is in use by process ${holder}; this run uses a fresh id, so leases of a crash of this run are recovered only when they run out (give each node its own --data-dir or --node-id)`,
      release: () => {},
    };
  }
  writeFileSync(lock, `${process.pid}\n`, { mode: 0o600 });
  return {
    id: stored,
    warning: null,
    release: () => {
      if (lockHolderPid(lock) === process.pid) unlinkSync(lock);
    },
  };
}

function readOrCreate(path: string, make: () => string): string {
  try {
    writeFileSync(path, `${make()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const id = readFileSync(path, 'utf8').trim();
  if (id === '') throw new Error(`${path} is empty; delete it to have a new node id made`);
  return id;
}

function lockHolderPid(lock: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The pid of a live other process holding the lock, or null (no lock, or a dead holder's). */
function lockHolder(lock: string): number | null {
  const pid = lockHolderPid(lock);
  if (pid === null || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
