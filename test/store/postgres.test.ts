import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { runStoreContract } from './contract.js';
import { POSTGRES_URL } from '../support/store-backend.js';

const CONNECTION = POSTGRES_URL;
const schemas: string[] = [];

runStoreContract('postgres', () => {
  const schema = `chime_t_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return createPostgresStore({ connectionString: CONNECTION, schema, useStoreClock: false });
});

afterAll(async () => {
  const client = new pg.Client({ connectionString: CONNECTION });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});
