/**
 * Numbered SQL migrations (`migrations/NNN-name.sql` beside a backend's migrate.ts), read
 * from the folder they ship in (the build copies them: scripts/copy-store-assets.mjs).
 * A version is never edited once released, only followed by a new one.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Migration {
  version: number;
  name: string;
  /** The file's SQL (a PostgreSQL migration runs with `search_path` set to the store's schema). */
  up: string;
}

const FILE_NAME = /^(\d{3})-([a-z0-9-]+)\.sql$/;

/** The migrations in `folder`, in version order. */
export function readSqlMigrations(folder: URL): Migration[] {
  return readdirSync(folder)
    .map((file) => ({ file, match: FILE_NAME.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), name: match[2]!, up: readFileSync(new URL(file, folder), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}
