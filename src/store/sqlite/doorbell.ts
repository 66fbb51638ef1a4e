/**
 * The file beside the database (`<file>-due`) that a process writes one byte to after each
 * commit that made something due, and that the other processes sharing the database watch
 * (PeerWrites). A watch on the database's own files woke every peer for every commit, its
 * `-wal` file being written by each: a server woke for each claim and outcome of a worker
 * draining jobs beside it, none of which concerned it, and cost the worker a tenth of its pace
 * on a 2-core machine (docs/benchmarks.md, "SQLite: a peer's commits say what they made due").
 * The byte is written after COMMIT returns, so a peer woken by it reads the commit at once.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createPrivateFile } from './private-file.js';

const BYTE = new Uint8Array([1]);

export class Doorbell {
  private constructor(private fd: number | undefined) {}

  /** The doorbell of the database at `databasePath`, created (0600) if missing. */
  static open(databasePath: string): Doorbell {
    const path = doorbellPath(databasePath);
    createPrivateFile(path);
    // Not 'a': appends would grow the file by a byte a ring; this rewrites byte 0.
    return new Doorbell(openSync(path, 'r+'));
  }

  /** Wakes the peers' watches. A failed write loses nothing: their poll reads the due log too. */
  ring(): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, BYTE, 0, 1, 0);
    } catch {
      // A full disk, say: the commit itself went through, and the peers' poll will see it.
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export function doorbellPath(databasePath: string): string {
  return `${databasePath}-due`;
}
