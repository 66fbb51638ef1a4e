/**
 * Where the shared services live. Defaults match the development machine; override with
 * CHIME_TEST_POSTGRES_URL / CHIME_TEST_REDIS_URL, the same names the test suite reads.
 */
export interface ServiceConfig {
  /** Database every PostgreSQL system uses, each in its own `bench_*` schema. */
  readonly postgresUrl: string;
  readonly redisHost: string;
  readonly redisPort: number;
}

export function readServiceConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const redisUrl = new URL(env.CHIME_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  return {
    postgresUrl: env.CHIME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisHost: redisUrl.hostname,
    redisPort: Number(redisUrl.port || 6379),
  };
}
