/**
 * The floor under the callback lateness rows: a plain Node process that holds each job in
 * memory and, at its due time, posts the envelope Chime's callbacks carry to the same receiver
 * (bench/adapters/raw-callback.ts forks it; the harness's `raw-http-sender` system). It has no
 * store, no API, no signing, no retries and no logs: what is left is a timer, a JSON body and a
 * keep-alive request, so its lateness is what this machine's loopback HTTP between two Node
 * processes costs, and Chime's callback rows read against it as the burst rows read against
 * the raw HTTP ceiling.
 *
 * The timer waits as Chime's SystemClock does (src/core/clock.ts): a timeout to within 2 ms of
 * the due time, then setImmediate turns until Date.now() reaches it, so neither side gains on
 * the other by how it waits. Jobs beyond `concurrency` requests in flight wait for a place,
 * as with `--max-concurrent-jobs`. Before it says it is ready it sends 64 requests to the
 * receiver, four at a time (Chime's server warms its delivery path the same way at start,
 * src/runtime/delivery/delivery-warm-up.ts, against a listener of its own): the first
 * connections and undici's parser are not part of any job's lateness.
 *
 *   node dist-bench/raw-callback-sender.js <receiver url> <concurrency>    (IPC from a fork)
 *
 * Messages in: `{ jobs: [[index, dueAtMs], ...] }`. Out: `{ ready: true }` once, then
 * `{ completed: n }` (answered requests so far) after each turn that answered some.
 */
import { Pool } from 'undici';

/** As SystemClock's SPIN_MARGIN_MS. */
const SPIN_MARGIN_MS = 2;
/** As delivery-warm-up.ts: requests, and how many at a time. */
const WARM_UP_REQUESTS = 64;
const WARM_UP_IN_FLIGHT = 4;

type Pending = [index: number, dueAtMs: number];

const [url, concurrencyArg] = process.argv.slice(2);
if (!url || !process.send) throw new Error('fork this with the receiver url and the concurrency, over IPC');
const target = new URL(url);
const concurrency = Number(concurrencyArg ?? 50);
const pool = new Pool(target.origin, { connections: concurrency });

/** Jobs not yet sent, earliest first, from `head` on (sent ones are dropped when jobs arrive). */
let pending: Pending[] = [];
let head = 0;
/** Due jobs waiting for a place among `concurrency` requests in flight. */
const ready: Pending[] = [];
let inFlight = 0;
let completed = 0;
let reportScheduled = false;
let timeout: NodeJS.Timeout | undefined;
let immediate: NodeJS.Immediate | undefined;

/** Posts the envelope of job `index` due at `dueAtMs`, stamped now; resolves once answered. */
async function post(index: number, dueAtMs: number): Promise<void> {
  const scheduled = new Date(dueAtMs).toISOString();
  const body = `{"job_name":"bench-${index}","data":{"i":${index}},"scheduled_time":"${scheduled}","actual_time":"${new Date().toISOString()}"}`;
  const answer = await pool.request({ method: 'POST', path: target.pathname, headers: { 'content-type': 'application/json' }, body });
  await answer.body.dump();
  if (answer.statusCode >= 300) throw new Error(`the receiver answered ${answer.statusCode}`);
}

function send([index, dueAtMs]: Pending): void {
  inFlight++;
  post(index, dueAtMs)
    .then(() => {
      inFlight--;
      completed++;
      reportSoon();
      const next = ready.shift();
      if (next) send(next);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

function reportSoon(): void {
  if (reportScheduled) return;
  reportScheduled = true;
  setImmediate(() => {
    reportScheduled = false;
    process.send!({ completed });
  });
}

/** Sends what is due, then waits for the next due time: a timeout, then turns within the margin. */
function check(): void {
  timeout = undefined;
  immediate = undefined;
  const now = Date.now();
  while (head < pending.length && pending[head]![1] <= now) {
    const job = pending[head++]!;
    if (inFlight < concurrency) send(job);
    else ready.push(job);
  }
  if (head === pending.length) return;
  const remaining = pending[head]![1] - Date.now();
  if (remaining <= SPIN_MARGIN_MS) immediate = setImmediate(check);
  else timeout = setTimeout(check, remaining - SPIN_MARGIN_MS + 1);
}

process.on('message', (message: { jobs: Pending[] }) => {
  pending = pending.slice(head).concat(message.jobs).sort((a, b) => a[1] - b[1]);
  head = 0;
  clearTimeout(timeout);
  clearImmediate(immediate);
  check();
});
process.on('disconnect', () => void pool.close().then(() => process.exit(0)));
// Index -1: the receiver answers requests before the harness listens, and reports none.
let warmUpLeft = WARM_UP_REQUESTS;
const warmUpLane = async (): Promise<void> => {
  while (warmUpLeft-- > 0) await post(-1, Date.now());
};
await Promise.all(Array.from({ length: WARM_UP_IN_FLIGHT }, warmUpLane));
process.send({ ready: true });
