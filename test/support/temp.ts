import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs: string[] = [];

/** A fresh temporary directory, removed after the test file's last after-all hook (setup.ts). */
export function tempDir(prefix = 'chime-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function tempDbPath(): string {
  return join(tempDir(), 'chime.db');
}

/**
 * Removes the file's temporary directories. Not on the process's 'exit': Vitest's fork pool
 * ends its workers without it, which left each run's ~1,800 directories (SQLite files among
 * them) in /tmp.
 */
export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
