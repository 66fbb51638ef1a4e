import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDbPath } from '../support/temp.js';
import { runStoreContract } from './contract.js';

runStoreContract('sqlite', () => createSqliteStore({ path: tempDbPath() }));
