#!/usr/bin/env node
/**
 * How long a TRUNCATE checkpoint holds SQLite's writers off, by the size of the WAL file it
 * truncates: a store connection writes the WAL full (no automatic checkpoints, as the store),
 * a second connection copies it all back with a PASSIVE checkpoint (which syncs), then times
 * `wal_checkpoint(TRUNCATE)`. With nothing left to copy, what remains is the file system
 * freeing the file, with writers held off all along (src/store/sqlite/checkpointer.ts).
 *
 *   node scripts/measure-wal-truncate.mjs [MB=300] [rounds=3]
 */
import { rmSync, statSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const Database = createRequire(import.meta.url)('better-sqlite3');
const megabytes = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 3);
const ROW_BYTES = 4000;
const dir = mkdtempSync(join(tmpdir(), 'chime-wal-truncate-'));

try {
  for (let round = 1; round <= rounds; round++) {
    const path = join(dir, `round-${round}.db`);
    const store = new Database(path);
    store.pragma('journal_mode = WAL');
    store.pragma('synchronous = NORMAL');
    store.pragma('wal_autocheckpoint = 0');
    store.exec('CREATE TABLE pad (b BLOB)');
    const insert = store.prepare(`INSERT INTO pad (b) VALUES (randomblob(${ROW_BYTES}))`);
    const fill = store.transaction((rows) => {
      for (let i = 0; i < rows; i++) insert.run();
    });
    // Commits of 20 MB, as a bulk import writes them.
    const rowsPerCommit = Math.ceil((20 * 1e6) / ROW_BYTES);
    while (statSync(`${path}-wal`).size < megabytes * 1e6) fill(rowsPerCommit);
    const walBytes = statSync(`${path}-wal`).size;
    const checkpointer = new Database(path);
    checkpointer.pragma('wal_checkpoint(PASSIVE)');
    const startedAt = performance.now();
    const [result] = checkpointer.pragma('wal_checkpoint(TRUNCATE)');
    const heldMs = performance.now() - startedAt;
    console.log(
      `round ${round}: TRUNCATE of a ${(walBytes / 1e6).toFixed(0)} MB WAL held writers off ${heldMs.toFixed(1)} ms ` +
        `(${((heldMs / walBytes) * 1e6).toFixed(2)} ms per MB; busy ${result.busy}, file now ${statSync(`${path}-wal`).size} bytes)`,
    );
    checkpointer.close();
    store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
