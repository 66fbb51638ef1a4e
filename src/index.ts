/** Chime's library entry: run a server in-process, talk to one, or plug in a store. */
export { SystemClock, VirtualClock, type Clock } from './core/clock.js';
export { ChimeError, ERROR_CODES, type ErrorCode } from './core/errors.js';
export type * from './core/types.js';
export { startServer, type ChimeServer, type ServerParts } from './server/start-server.js';
export { resolveServerOptions, type ServerOptions } from './server/options.js';
export { createStore } from './store/open-store.js';
export type { Store } from './store/store.js';
export { createSqliteStore, type SqliteStoreOptions } from './store/sqlite/index.js';
export * from './client/index.js';
export { startWorkerProcess, type ChimeWorker } from './server/start-worker.js';
export { signToken as createToken, type TokenRequest } from './server/secrets.js';
