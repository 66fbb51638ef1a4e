import os from 'node:os';
import { Redis } from 'ioredis';
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
    ],
  );
}
