/**
 * Composes one `chime serve` process: store, engine (the callback lane, and a task worker
 * with `--tasks`), services and the HTTP API; and takes it apart again in the right order.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.js';
import { StoreAlignedClock } from '../runtime/store-clock.js';
import type { JobRunner } from '../core/job-runner.js';
import { TargetRoutingRunner } from '../runtime/delivery/target-routing-runner.js';
import { DaprJobs } from '../services/dapr-jobs.js';
import { TopicDelivery } from '../events/topic-delivery.js';
import type { EventPublisher } from '../events/event-publisher.js';
import { EVENT_SOURCE, startEventPublishing } from './event-setup.js';
import type { Engine } from '../runtime/engine.js';
import { UNTRACED } from '../core/job-tracing.js';
import type { LifecycleEvents } from '../core/lifecycle-events.js';
import { PlatformJobs } from '../services/platform-jobs.js';
import { PlatformQueues } from '../services/platform-queues.js';
import { PlatformSchedules } from '../services/platform-schedules.js';
import { TaskCatalog } from '../services/task-catalog.js';
import { PlatformTasks } from '../services/platform-tasks.js';
import { Overview } from '../services/overview.js';
import { FiringStats } from '../services/firing-stats.js';
import { RecentEvents } from '../services/recent-events.js';
import type { TaskDefinition } from '../core/tasks.js';
import { Authenticator } from '../http/auth.js';
import type { GrpcApi } from '../grpc/grpc-server.js';
import type { AppCallbackDeliveryOptions } from '../grpc/app-callback-delivery.js';
import { buildHttpServer } from '../http/server.js';
import { createStore, redactStoreSpec } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../version.js';
import { createDelivery, type DeliveryParts } from './delivery-setup.js';
import { createEngine, defaultFailurePolicy, engineClock, startFailureHooks, startTaskWorker } from './engine-setup.js';
import { createEventLog } from './event-log.js';
import { instrumentStore } from './instrumented-store.js';
import { createLogger, type Logger } from './logger.js';
import { claimNodeIdentity } from './node-identity.js';
import { ChimeMetrics } from './metrics.js';
import type { NodeOptions, ServerOptions } from './options.js';
import { loadOrCreateSecret, loginLink } from './secrets.js';
import { EXIT_CODES, listenError, openStoreOrExplain, StartupError } from './startup-error.js';
import { loadOpenTelemetry, OtelJobTracing } from './tracing.js';

export interface ChimeServer {
  /** http://host:port the API listens on. */
  readonly url: string;
  readonly port: number;
  /** The gRPC API's port, or null when it is off (`--no-grpc`). */
  readonly grpcPort: number | null;
  readonly store: Store;
  readonly engine: Engine;
  /** The node's job lifecycle events: metrics, logs, the live feed and hooks read this. */
  readonly events: LifecycleEvents;
  /** Publishes job events to the `--events-url` broker; null without one. */
  readonly eventPublisher: EventPublisher | null;
  /** Prometheus metrics (GET /metrics); null with `--metrics off`. */
  readonly metrics: ChimeMetrics | null;
  readonly app: FastifyInstance;
  /** Stops accepting requests, drains running jobs, closes the store. Idempotent. */
  close(): Promise<void>;
}

export interface ServerParts {
  clock?: Clock;
  /** An already created (not yet opened) store; else one is made from `options.store`. */
  store?: Store;
  logger?: Logger;
  /** Tasks to run in-process (instead of, or besides, loading `options.tasks`). */
  tasks?: readonly TaskDefinition[];
  /** Where the dashboard's one-time login link is written. @default standard output */
  printLoginLink?: (line: string) => void;
}

export async function startServer(serverOptions: ServerOptions, parts: ServerParts = {}): Promise<ChimeServer> {
  const logger = parts.logger ?? createLogger(serverOptions.logLevel, { format: serverOptions.logFormat });
  const identity = claimNodeIdentity(serverOptions.dataDir, serverOptions.nodeId);
  if (identity.warning) logger.log('warn', identity.warning);
  const options: NodeOptions = { ...serverOptions, nodeId: identity.id };
  const secret = options.jwksUrl ? undefined : (options.jwtSecret ?? loadOrCreateSecret(options.dataDir));
  const auth = new Authenticator({
    secret,
    jwksUrl: options.jwksUrl ?? undefined,
    issuer: options.jwtIssuer ?? undefined,
    audience: options.jwtAudience ?? undefined,
  });
  const bareStore = parts.store ?? (await createStore(options.store));
  let clock: Clock | undefined;
  const metrics = options.metrics
    ? new ChimeMetrics({ store: bareStore, version: VERSION, clockOffsetMs: () => (clock instanceof StoreAlignedClock ? clock.offset : 0) })
    : null;
  const store = metrics ? instrumentStore(bareStore, metrics.storeObserver) : bareStore;
  await openStoreOrExplain(() => store.open(), `${store.backend} (${redactStoreSpec(options.store)})`, (error, waitMs) =>
    logger.log('warn', `the store is unreachable; trying again in ${waitMs} ms`, error),
  );
  for (const warning of store.warnings) logger.log('warn', warning);
  const aligned = await engineClock(store, parts.clock, logger);
  clock = aligned.clock;
  const stopClock = aligned.stop;

  const otel = await loadOpenTelemetry();
  const tracing = otel ? new OtelJobTracing(otel, VERSION) : null;
  const engine = createEngine(store, clock, options, logger, 'server');
  const delivery = createDelivery(options, clock, tracing ? (job) => tracing.callbackTraceparent(job) : undefined);
  const eventParts = await startEventPublishing(options, engine.events, logger);
  await engine.addLane({
    lane: { target: 'callback' },
    // A job with a topic goes to the broker (topic-delivery.ts); the rest as delivery routes them.
    runner: new TopicDelivery(
      eventParts.sink,
      options.appProtocol === 'grpc' ? new TargetRoutingRunner(await createAppCallbackDelivery(options), delivery.runner) : delivery.runner,
      clock,
      EVENT_SOURCE,
    ),
    concurrency: options.maxConcurrentJobs,
    // As workers do: claims of a full batch rather than one per freed slot (a burst of 100k
    // callbacks otherwise spends its time in tiny claim transactions).
    prefetch: Math.max(options.maxConcurrentJobs, 16),
    defaultTimeoutMs: options.jobTimeoutMs,
    exhaustedOutcome: 'dead_lettered',
  });
  const worker = await startTaskWorker(store, clock, engine, options, logger, parts.tasks);

  const catalog = new TaskCatalog(store, clock);
  const { events } = engine;
  const hooks = startFailureHooks(store, clock, engine, options, logger);
  // Listeners only where they write something: with neither, the engine builds no events.
  const unsubscribers: (() => void)[] = [];
  if (logger.pino.isLevelEnabled('warn')) unsubscribers.push(events.subscribe(createEventLog(logger)));
  if (metrics) unsubscribers.push(events.subscribe(metrics.onEvent));
  if (tracing) unsubscribers.push(events.subscribe(tracing.onEvent));
  const daprJobs = new DaprJobs(
    store,
    clock,
    { defaultFailurePolicy: defaultFailurePolicy(options), defaultMissedFire: options.missedFirePolicy, guard: delivery.guard },
    events,
    tracing ?? UNTRACED,
    engine,
  );
  const firing = new FiringStats(events);
  const app = await buildHttpServer({
    daprJobs,
    recent: new RecentEvents(events),
    firing,
    platform: {
      jobs: new PlatformJobs(store, clock, catalog, engine, { missedFireThresholdMs: options.missedFireThresholdMs }, events, delivery.guard, tracing ?? UNTRACED),
      schedules: new PlatformSchedules(store, clock, catalog, options.missedFirePolicy, events, delivery.guard, tracing ?? UNTRACED, engine),
      queues: new PlatformQueues(store, clock, events),
      tasks: new PlatformTasks(store),
      overview: new Overview(store, daprJobs, firing, clock),
      daprJobs,
    },
    auth,
    nodeId: options.nodeId,
    ui: options.ui,
    bodyLimit: options.bodyLimit,
    version: VERSION,
    logError: (error, requestId) => logger.log('error', 'request failed', error, { req_id: requestId }),
    daprApiToken: options.daprApiToken,
    logger: logger.pino,
    metrics,
    health: {
      async check() {
        if (closing) return { ok: false, detail: 'draining' };
        if (engine.state !== 'running') return { ok: false, detail: `engine ${engine.state}` };
        return store.health();
      },
      metadata: () => ({
        id: 'chime',
        runtimeVersion: `chime-${VERSION}`,
        enabledFeatures: ['Scheduler'],
        actors: [],
        components: [],
        httpEndpoints: [],
        subscriptions: [],
        appConnectionProperties: { channelAddress: new URL(options.appUrl).host, protocol: options.appProtocol },
        extended: { store: store.backend, callbackStyle: options.callbackStyle, nodeId: options.nodeId },
      }),
    },
  });

  let closing: Promise<void> | null = null;
  let warmUp: Promise<void> = Promise.resolve();
  let grpcApi: GrpcApi | null = null;
  const shutdown = async (): Promise<void> => {
    await warmUp;
    await grpcApi?.close();
    await app.close();
    await worker?.stop();
    await engine.close();
    // After the engine: the last outcomes' events are in the queue; what the broker does not take in time stays spooled.
    await eventParts.publisher?.close(Math.min(options.drainGraceMs, 5000));
    await eventParts.sink?.close();
    await hooks.close();
    for (const unsubscribe of unsubscribers) unsubscribe();
    tracing?.close();
    stopClock();
    await store.close();
    identity.release();
  };
  // Before the engine starts, so a taken gRPC port stops start-up before anything fires.
  grpcApi =
    options.grpcPort === null
      ? null
      : await (await import('../grpc/grpc-server.js')).startGrpcApi(
          {
            jobs: daprJobs,
            metadata: () => ({
              id: 'chime',
              runtime_version: `chime-${VERSION}`,
              enabled_features: ['Scheduler'],
              extended_metadata: { store: store.backend, nodeId: options.nodeId },
              app_connection_properties: {
                port: Number(new URL(options.appUrl).port) || 0,
                protocol: options.appProtocol,
                channel_address: new URL(options.appUrl).hostname,
                max_concurrency: options.maxConcurrentJobs,
              },
            }),
            log: (error) => logger.log('error', 'gRPC call failed', error),
          },
          { host: options.host, port: options.grpcPort, maxMessageBytes: options.bodyLimit },
        ).catch(async (error: unknown) => {
          closing = shutdown();
          await closing.catch(() => {});
          throw new StartupError(
            `grpc-port ${options.grpcPort}: cannot listen (${(error as Error).message}); pick another with --grpc-port or turn gRPC off with --no-grpc`,
            EXIT_CODES.cannotListen,
            { cause: error },
          );
        });
  // Beside the start, not before it: ready comes as soon as it did, and a job already due
  // fires at once (through code that may still be cold, as before the warm-up existed).
  warmUp = warmUpDelivery(delivery, options, clock, logger);
  await engine.start();
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    closing = shutdown();
    await closing.catch(() => {});
    throw listenError(error, options.host, options.port);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  if (grpcApi) logger.log('info', `gRPC API (Dapr jobs) on ${grpcApi.address}`);
  logger.log('info', `chime ${VERSION} serving ${url} on ${store.backend} (${redactStoreSpec(options.store)}); callbacks to ${options.appUrl} (${options.appProtocol === 'grpc' ? 'gRPC' : options.callbackStyle})`);
  if (options.ui) await announceDashboard(url, secret, options, logger, parts.printLoginLink ?? ((line) => process.stdout.write(line)));

  return {
    url,
    port,
    grpcPort: grpcApi?.port ?? null,
    store,
    engine,
    events,
    eventPublisher: eventParts.publisher,
    metrics,
    app,
    close() {
      closing ??= (async () => {
        await shutdown();
        logger.log('info', 'chime stopped');
      })();
      return closing;
    },
  };
}

/**
 * gRPC app callbacks, loaded only when asked for: @grpc/grpc-js and the protos add ~200 ms to
 * start-up, which `chime jobs ...` and HTTP-only servers need not pay.
 */
async function createAppCallbackDelivery(options: NodeOptions): Promise<JobRunner> {
  const { AppCallbackDelivery } = await import('../grpc/app-callback-delivery.js');
  return new AppCallbackDelivery(await appCallbackOptions(options));
}

async function appCallbackOptions(options: NodeOptions): Promise<AppCallbackDeliveryOptions> {
  const { appGrpcAddress } = await import('../grpc/app-callback-delivery.js');
  return { address: appGrpcAddress(options.appUrl), nodeId: options.nodeId, appApiToken: options.appApiToken };
}

/**
 * The delivery warm-ups in the background (delivery-warm-up.ts; app-callback-warm-up.ts with
 * `--app-protocol grpc`, first, as that is the app's path); what they did goes to the debug log.
 */
async function warmUpDelivery(delivery: DeliveryParts, options: NodeOptions, clock: Clock, logger: Logger): Promise<void> {
  const started = performance.now();
  let grpcCallsAnswered: number | undefined;
  if (options.appProtocol === 'grpc') {
    // The warm-ups never reject; loading the module could: then only the gRPC one is skipped.
    const warmUpModule = await import('../grpc/app-callback-warm-up.js').catch(() => null);
    if (warmUpModule) grpcCallsAnswered = await warmUpModule.warmAppCallbackDelivery(await appCallbackOptions(options), clock);
  }
  const requestsAnswered = await delivery.warmUp();
  logger.log('debug', 'callback delivery warmed up', undefined, {
    requests_answered: requestsAnswered,
    grpc_calls_answered: grpcCallsAnswered,
    duration_ms: Math.round(performance.now() - started),
  });
}

/**
 * Like Jupyter's token link: a one-time admin login link for the dashboard (15 minutes, one
 * use; `chime token --login-link` prints more). The link holds a credential, which the log
 * redacts wherever it appears, so it goes to stdout (the server's only stdout line, for the
 * person at the terminal) and the log says where to find it. Servers verifying tokens against a
 * JWKS cannot sign one: the dashboard then asks for a token.
 */
async function announceDashboard(
  url: string,
  secret: string | undefined,
  options: ServerOptions,
  logger: Logger,
  print: (line: string) => void,
): Promise<void> {
  if (!secret) {
    logger.log('info', `dashboard: ${url}/ui/ (sign in with a token from your identity provider)`);
    return;
  }
  const link = await loginLink(url, {
    secret,
    scope: 'admin',
    subject: 'chime-serve',
    issuer: options.jwtIssuer ?? undefined,
    audience: options.jwtAudience ?? undefined,
  });
  print(`Dashboard login link (one use, valid 15 minutes): ${link}\n`);
  logger.log('info', `dashboard: ${url}/ui/ (one-time login link on stdout; \`chime token --login-link\` prints another)`);
}
