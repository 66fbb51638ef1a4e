import { ThreadedSqliteStore } from '../../src/store/sqlite/thread.js';
import { tempDbPath } from '../support/temp.js';
import { runStoreContract } from './contract.js';

runStoreContract('sqlite on its own thread', () => new ThreadedSqliteStore({ path: tempDbPath() }), { portablePlanners: true });
