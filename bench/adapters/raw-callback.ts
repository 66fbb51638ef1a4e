/**
 * `raw-http-sender`: the baseline under the callback lateness rows (workloads 4 and 10). Not a
 * scheduler: a plain Node process (bench/raw-callback-sender.ts) keeps each job in memory and
 * posts Chime's callback envelope to the same receiver at the job's due time, with the same
 * precise wait as Chime's clock. Its lateness is the floor a callback can reach on this machine
 * (a timer, one keep-alive HTTP request between two Node processes); Chime's callback systems
 * read against it as the burst's "of raw" reads against the raw HTTP ceiling. It is neither a
 * peer nor Chime (kind `baseline`): the summary's ratios leave it out.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchJob, BenchTrial, JobStartListener, SystemAdapter, WorkerSettings } from '../adapter.js';
import { CompletionCounter } from '../completion-counter.js';
import { startCallbackReceiver } from './callback-receiver.js';
import { installedVersion } from './package-version.js';

const SENDER_SCRIPT = fileURLToPath(new URL('../raw-callback-sender.js', import.meta.url));

interface SenderMessage {
  readonly ready?: true;
  /** Answered requests so far. */
  readonly completed?: number;
}

export function createRawCallbackAdapter(): SystemAdapter {
  return {
    name: 'raw-http-sender',
    kind: 'baseline',
    product: 'a plain Node.js HTTP sender (baseline, not a scheduler)',
    version: () => `Node.js ${process.version}, undici ${installedVersion('undici')}`,
    settings: [
      'jobs held in memory by a forked Node process, none stored: the floor, not a system to use',
      "at each due time, Chime's envelope callback (same body and receiver, unsigned) over an undici keep-alive Pool of `concurrency` connections",
      "waits as Chime's SystemClock: a timeout to within 2 ms, then setImmediate turns until Date.now() reaches the due time",
      'warmed up as a Chime server is at start: 64 requests, 4 at a time, here to the receiver itself',
    ],
    workloads: new Set(['lateness', 'sustained']),
    bulkBatchSize: 1_000,
    async setUp() {},
    openTrial: openRawCallbackTrial,
    async tearDown() {},
  };
}

async function openRawCallbackTrial(): Promise<BenchTrial> {
  const receiver = await startCallbackReceiver();
  const completions = new CompletionCounter('the raw sender');
  let sender: ChildProcess | undefined;
  /** Rejects when the sender exits: nothing more will complete (handled, so a clean exit at close is no error). */
  let exited: Promise<never> = new Promise(() => {});
  const addBulk = async (jobs: readonly BenchJob[]): Promise<void> => {
    if (!sender) throw new Error('start the worker (the sender) first');
    sender.send({ jobs: jobs.map((job) => [job.index, job.dueAtMs ?? 0]) });
  };
  return {
    add: (job) => addBulk([job]),
    addBulk,
    async startWorker(onJobStart: JobStartListener, { concurrency }: WorkerSettings) {
      const url = `${receiver.appUrl}${receiver.rawTarget().path}`;
      const child = fork(SENDER_SCRIPT, [url, String(concurrency)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      sender = child;
      exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the raw sender exited with ${code}`))));
      exited.catch(() => {});
      const ready = new Promise<void>((resolve) => {
        child.on('message', (message: SenderMessage) => {
          if (message.ready) {
            // After the sender's warm-up requests, which the receiver answers and does not report.
            receiver.listen(onJobStart);
            resolve();
          }
          if (message.completed !== undefined) completions.increment(message.completed - completions.count);
        });
      });
      await Promise.race([ready, exited]);
    },
    waitForCompletions: (count, signal) => Promise.race([completions.waitFor(count, signal), exited]),
    async close() {
      if (sender?.connected) {
        const closed = exited.catch(() => {});
        sender.disconnect();
        await closed;
      }
      await receiver.close();
    },
  };
}
