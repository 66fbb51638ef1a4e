import * as initial from './001-initial.js';
import * as v1Names from './002-v1-names.js';
import * as jobsDialect from './003-jobs-dialect.js';
import * as noLeasedStatusIndex from './004-no-leased-status-index.js';
import * as deadLetterIndex from './005-dead-letter-index.js';
import * as noAllJobsOrTargetIndex from './006-no-all-jobs-or-target-index.js';

export interface RedisMigration {
  version: number;
  name: string;
  /**
   * One Lua script that upgrades the previous layout and stamps its version, atomically:
   * it re-reads the layout key first, so two nodes opening at once apply it once. A
   * migration that must touch millions of keys does so in bounded batches, returning the
   * version only once done (migrate.ts calls it until it does).
   */
  lua: string;
}

/** Applied in order; a version is never edited once released, only followed by a new one. */
export const MIGRATIONS: readonly RedisMigration[] = [
  { version: 1, name: 'initial', lua: initial.lua },
  { version: 2, name: 'v1-names', lua: v1Names.lua },
  { version: 3, name: 'jobs-dialect', lua: jobsDialect.lua },
  { version: 4, name: 'no-leased-status-index', lua: noLeasedStatusIndex.lua },
  { version: 5, name: 'dead-letter-index', lua: deadLetterIndex.lua },
  { version: 6, name: 'no-all-jobs-or-target-index', lua: noAllJobsOrTargetIndex.lua },
];

export const LATEST_LAYOUT = MIGRATIONS[MIGRATIONS.length - 1]!.version;
