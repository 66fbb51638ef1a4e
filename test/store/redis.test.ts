import { afterAll, afterEach } from 'vitest';
import { runStoreContract } from './contract.js';
import { deleteTestPrefixes, testStore } from './redis-support.js';

// A virtual 2030 clock: the server clock cap would hold every claim back.
runStoreContract('redis', () => testStore({ useStoreClock: false }));

// After each case (the contract has closed its store by then), so that a run cut short
// leaves at most one prefix behind on the shared server.
afterEach(deleteTestPrefixes);
afterAll(deleteTestPrefixes);
