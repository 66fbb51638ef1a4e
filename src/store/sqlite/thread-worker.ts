/**
 * The SQLite store's thread (see thread.ts): opens the store's own connection, checkpointer
 * and peer-write watch exactly as the in-process store does, then runs each request's
 * operation and answers. Synchronous operations answer in the turn the request arrived;
 * group-committed writes answer after their commit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DueSignals } from '../due-signals.js';
import { loadPlanner, occurrencePlanner, type PlannerSpec } from '../planners.js';
import type { OpenBackend, OperationName } from '../store-ops.js';
import type { ClaimRequest, PlanNext } from '../store.js';
import type { SqliteContext } from './context.js';
import { sqliteDriver, sqliteOps, type SqliteStoreOptions } from './store.js';
import { Outbox, sendableError, type ThreadMessage, type ThreadRequest } from './thread-protocol.js';

if (!parentPort) throw new Error('thread-worker.ts runs as a worker thread of the SQLite store');
const port = parentPort;
const outbox = new Outbox<ThreadMessage>((batch) => port.postMessage(batch));
const send = (message: ThreadMessage): void => outbox.push(message);

/** Planners rebuilt once per description: a claim reuses the function the last one built. */
const planners = new Map<string, PlanNext | Promise<PlanNext>>();

function planner(spec: PlannerSpec): PlanNext | Promise<PlanNext> {
  const key = JSON.stringify(spec);
  let plan = planners.get(key);
  if (!plan) {
    plan = spec.kind === 'occurrence' ? occurrencePlanner(spec.missedFireThresholdMs) : loadPlanner(spec);
    planners.set(key, plan);
    if (plan instanceof Promise) void plan.then((loaded) => planners.set(key, loaded), () => planners.delete(key));
  }
  return plan;
}

/** The arguments with each planner description turned back into a planner. */
function withPlanners(op: OperationName, args: unknown[]): unknown[] | Promise<unknown[]> {
  if (op === 'claimDue') {
    const request = args[0] as Omit<ClaimRequest, 'planNext'> & { planNext: PlannerSpec };
    const plan = planner(request.planNext);
    return plan instanceof Promise ? plan.then((p) => [{ ...request, planNext: p }]) : [{ ...request, planNext: plan }];
  }
  if (op === 'cancelJob') {
    const plan = planner(args[3] as PlannerSpec);
    return plan instanceof Promise ? plan.then((p) => [...args.slice(0, 3), p]) : [...args.slice(0, 3), plan];
  }
  return args;
}

function answer(id: number, run: () => unknown): void {
  try {
    const value = run();
    if (value instanceof Promise) value.then((v: unknown) => send({ id, value: v }), (error: unknown) => send({ id, error: sendableError(error) }));
    else send({ id, value });
  } catch (error) {
    send({ id, error: sendableError(error) });
  }
}

function serve(store: OpenBackend<SqliteContext>): void {
  const ops = sqliteOps as unknown as Record<OperationName, (ctx: SqliteContext, ...args: unknown[]) => unknown>;
  port.on('message', (batch: ThreadRequest[]) => {
    for (const request of batch) handle(request);
  });
  const handle = (request: ThreadRequest): void => {
    if (request.op === 'close') {
      answer(request.id, () =>
        store.close().then(() => {
          // After the answer has gone: the thread then ends, having nothing left to run.
          setImmediate(() => port.close());
        }),
      );
      return;
    }
    if (request.op === 'health') {
      answer(request.id, () => store.health());
      return;
    }
    const { op } = request;
    const args = withPlanners(op, request.args);
    if (args instanceof Promise) args.then((a) => answer(request.id, () => ops[op](store.context, ...a)), (error: unknown) => send({ id: request.id, error: sendableError(error) }));
    else answer(request.id, () => ops[op](store.context, ...args));
  };
}

const signals = new DueSignals();
signals.subscribe((signal) => send({ signal }));
sqliteDriver((workerData as { options: SqliteStoreOptions }).options)
  .open(signals)
  .then(
    (store) => {
      serve(store);
      send({ ready: true });
    },
    (error: unknown) => {
      port.postMessage([{ ready: false, error: sendableError(error) }] satisfies ThreadMessage[]);
      port.close();
    },
  );
