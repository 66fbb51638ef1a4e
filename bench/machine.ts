import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { bundleCacheIsCurrent, bundleIsCurrent } from '../bin/load-bundle.js';
import { withPostgres } from './adapters/postgres.js';
import type { ServiceConfig } from './services.js';
import { renderTable } from './table.js';

/** The machine and services the figures were measured on. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly logicalCores: number;
  readonly ramGiB: number;
  readonly os: string;
  readonly node: string;
  readonly postgres: string;
  readonly redis: string;
  /** Redis `hz` when the run started (BullMQ's delayed-job wake-ups depend on it). */
  readonly redisHz: string;
  /** 1-minute load average at start: others' builds and tests share the machine. */
  readonly loadAverage1m: number;
  /** What the Chime servers run (describeChimeBuild). */
  readonly chimeBuild: string;
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * What `bin/chime.js` runs in the checkout at `root`: the bundle with its code cache, as built,
 * or less. A `tsc` run after the build (a typecheck with the build's config) leaves the bundle
 * older than the compile, and every Chime server then loads dist/ file by file, 0.4 s slower to
 * start and slower in its first seconds: a run so measured is marked in its report.
 */
export function describeChimeBuild(root: string = ROOT): string {
  const bundle = join(root, 'dist', 'chime.cjs');
  if (!bundleIsCurrent(bundle, join(root, 'dist', '.tsbuildinfo'))) {
    return 'dist/ file by file: the bundle is missing or older than the last compile (npm run build makes it)';
  }
  return bundleCacheIsCurrent(bundle) ? 'the bundle, with its code cache' : 'the bundle, without a current code cache (npm run build makes it)';
}

async function postgresVersion(services: ServiceConfig): Promise<string> {
  try {
    return await withPostgres(services.postgresUrl, async (client) => {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return `PostgreSQL ${rows[0].server_version}`;
    });
  } catch (error) {
    return `unavailable (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function redisFacts(services: ServiceConfig): Promise<{ version: string; hz: string }> {
  const redis = new Redis({ host: services.redisHost, port: services.redisPort, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const [, hz] = (await redis.config('GET', 'hz')) as [string, string];
    return { version: `Redis ${/^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown'}`, hz };
  } catch (error) {
    return { version: `unavailable (${error instanceof Error ? error.message : String(error)})`, hz: 'unknown' };
  } finally {
    redis.disconnect();
  }
}

export async function describeMachine(services: ServiceConfig): Promise<MachineInfo> {
  const [postgres, redis] = await Promise.all([postgresVersion(services), redisFacts(services)]);
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    logicalCores: os.availableParallelism(),
    ramGiB: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres,
    redis: redis.version,
    redisHz: redis.hz,
    loadAverage1m: os.loadavg()[0],
    chimeBuild: describeChimeBuild(),
  };
}

export function renderMachine(machine: MachineInfo): string {
  return renderTable(
    ['Machine', ''],
    [
      ['CPU', `${machine.cpuModel}, ${machine.logicalCores} logical cores`],
      ['RAM', `${machine.ramGiB.toFixed(1)} GiB`],
      ['OS', machine.os],
      ['Node.js', machine.node],
      ['PostgreSQL', machine.postgres],
      ['Redis', `${machine.redis} (hz ${machine.redisHz})`],
      ['Load average (1 min) at start', machine.loadAverage1m.toFixed(2)],
      ['Chime servers run', machine.chimeBuild],
    ],
  );
}
