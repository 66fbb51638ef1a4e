/**
 * Where the shared services live. Defaults match the development machine;
 * override with BENCH_POSTGRES_URL / BENCH_REDIS_URL.
 */
export interface ServiceConfig {
  /** Database every PostgreSQL system uses, each in its own `bench_*` schema. */
  readonly postgresUrl: string;
  readonly redisHost: string;
  readonly redisPort: number;
}

export function readServiceConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const redisUrl = new URL(env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
  return {
    postgresUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisHost: redisUrl.hostname,
    redisPort: Number(redisUrl.port || 6379),
  };
}
