import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs: string[] = [];

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'chime-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function tempDbPath(): string {
  return join(tempDir(), 'chime.db');
}

process.on('exit', () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
