/**
 * Composes a `chime worker` process: a store, an engine with a task lane, and the worker's
 * registration and heartbeat. No HTTP; it shares the store with `chime serve`.
 */
import type { Clock } from '../core/clock.js';
import type { TaskDefinition } from '../engine/tasks.js';
import type { Engine } from '../engine/engine.js';
import type { TaskWorker } from '../engine/worker.js';
import { createStore, redactStoreSpec } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { startEventPublishing } from '../events/event-setup.js';
import { createEngine, engineClock, startFailureHooks, startTaskWorker } from './engine-setup.js';
import { createLogger, type Logger } from './logger.js';
import type { ServerOptions } from './options.js';

export interface ChimeWorker {
  readonly store: Store;
  readonly engine: Engine;
  readonly worker: TaskWorker;
  close(): Promise<void>;
}

export async function startWorkerProcess(
  options: ServerOptions,
  parts: { clock?: Clock; logger?: Logger; tasks?: readonly TaskDefinition[] } = {},
): Promise<ChimeWorker> {
  const logger = parts.logger ?? createLogger(options.logLevel);
  if (!options.tasks && !parts.tasks) throw new Error('tasks: a worker needs --tasks <module>');
  const store = await createStore(options.store);
  await store.open();
  for (const warning of (store as { warnings?: string[] }).warnings ?? []) logger.log('warn', warning);
  const { clock, stop: stopClock } = await engineClock(store, parts.clock, logger);
  const engine = createEngine(store, clock, options, logger);
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
        stopClock();
        await store.close();
        logger.log('info', 'chime worker stopped');
      })();
      return closing;
    },
  };
}
