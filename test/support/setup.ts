import { afterAll } from 'vitest';
import { checkForLeaks } from './leak-check.js';
import { dropCreatedStores } from './store-backend.js';
import { removeTempDirs } from './temp.js';

// Runs last of the file's after-all hooks (registered first): fails a file that leaks.
checkForLeaks();
// Each test file drops the PostgreSQL schemas and Redis prefixes it created,
afterAll(dropCreatedStores);
// and, before that (after-all hooks run last-registered first), after its own hooks have
// stopped its servers, removes its temporary directories.
afterAll(removeTempDirs);
