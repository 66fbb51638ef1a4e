import { afterAll } from 'vitest';
import { checkForLeaks } from './leak-check.js';
import { dropCreatedStores } from './store-backend.js';

// Runs last of the file's after-all hooks (registered first): fails a file that leaks.
checkForLeaks();
// Each test file drops the PostgreSQL schemas and Redis prefixes it created.
afterAll(dropCreatedStores);
