import { afterAll } from 'vitest';
import { dropCreatedStores } from './store-backend.js';

// Each test file drops the PostgreSQL schemas and Redis prefixes it created.
afterAll(dropCreatedStores);
