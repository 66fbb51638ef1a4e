/**
 * Composes a `chime worker` process: a store, an engine with a task lane, and the worker's
 * registration and heartbeat. No HTTP; it shares the store with `chime serve`.
 */
import type { Clock } from '../core/clock.js';
import type { TaskDefinition } from '../core/tasks.js';
import type { Engine } from '../runtime/engine.js';
import type { TaskWorker } from '../runtime/worker.js';
import { createStore, redactStoreSpec } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { startEventPublishing } from './event-setup.js';
import { createEngine, engineClock, startFailureHooks, startTaskWorker } from './engine-setup.js';
import { createEventLog } from './event-log.js';
import { createLogger, type Logger } from './logger.js';
import { claimNodeIdentity } from './node-identity.js';
import type { NodeOptions, ServerOptions } from './options.js';
import { openStoreOrExplain } from './startup-error.js';

export interface ChimeWorker {
  readonly store: Store;
  readonly engine: Engine;
  readonly worker: TaskWorker;
  close(): Promise<void>;
}

export async function startWorkerProcess(
  workerOptions: ServerOptions,
  parts: { clock?: Clock; logger?: Logger; tasks?: readonly TaskDefinition[] } = {},
): Promise<ChimeWorker> {
  const logger = parts.logger ?? createLogger(workerOptions.logLevel, { format: workerOptions.logFormat });
  const identity = claimNodeIdentity(workerOptions.dataDir, workerOptions.nodeId);
  if (identity.warning) logger.log('warn', identity.warning);
  const options: NodeOptions = { ...workerOptions, nodeId: identity.id };
  if (!options.tasks && !parts.tasks) throw new Error('tasks: a worker needs --tasks <module>');
  const store = await createStore(options.store);
  await openStoreOrExplain(() => store.open(), `${store.backend} (${redactStoreSpec(options.store)})`, (error, waitMs) =>
    logger.log('warn', `the store is unreachable; trying again in ${waitMs} ms`, error),
  );
  for (const warning of store.warnings) logger.log('warn', warning);
  const { clock, stop: stopClock } = await engineClock(store, parts.clock, logger);
  const engine = createEngine(store, clock, options, logger, 'worker');
  const unsubscribe = logger.pino.isLevelEnabled('warn') ? engine.events.subscribe(createEventLog(logger)) : () => {};
  const { publisher } = await startEventPublishing(options, engine.events, logger);
  const worker = await startTaskWorker(store, clock, engine, options, logger, parts.tasks);
  if (!worker) throw new Error('tasks: no task to run');
  const hooks = startFailureHooks(store, clock, engine, options, logger);
  await engine.start();
  logger.log('info', `chime worker ${options.nodeId} running on ${store.backend} (${redactStoreSpec(options.store)})`);
  let closing: Promise<void> | null = null;
  return {
    store,
    engine,
    worker,
    close() {
      closing ??= (async () => {
        await worker.stop();
        await engine.close();
        await publisher?.close(Math.min(options.drainGraceMs, 5000));
        await hooks.close();
        unsubscribe();
        stopClock();
        await store.close();
        identity.release();
        logger.log('info', 'chime worker stopped');
      })();
      return closing;
    },
  };
}
