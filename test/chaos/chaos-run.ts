/**
 * One chaos run on one store: clients keep creating jobs (Dapr one-shot callbacks due within a
 * second, and platform task jobs) through whichever nodes are up while faults hit at random
 * moments. It reports what an operator asks after an incident:
 *
 * - lost: jobs a client got a 200 for that were never delivered (callbacks) or never ran to
 *   the end (tasks). Must be 0.
 * - duplicates: occurrences delivered (or task jobs run) more than once, and the most
 *   deliveries of one occurrence (at-least-once delivery allows a redelivery of what was in
 *   flight at a kill).
 * - recovery: per fault, from the broken part being back (process serving, store accepting)
 *   until every node answers /healthz 204 and every job due before the fault has been delivered.
 * - answers: how clients were answered from the fault until recovery (status codes, or the
 *   connection error when a node was down).
 */
import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from '../support/receiver.js';
import { testToken } from '../support/server.js';
import { ChaosCluster, type Backend, type Fault } from './chaos-cluster.js';

export interface RoundResult {
  fault: Fault;
  target: number;
  downMs: number;
  /** ms from the broken part being back to everything due before the fault delivered. */
  recoverMs: number;
  /**
   * Callbacks in flight at the fault (delivered before it, delivered again after): the latest
   * redelivery, in ms after the broken part was back; null when none was in flight.
   */
  redeliveryMs: number | null;
  answers: Record<string, number>;
  /** /healthz answers from the fault until recovery. */
  health: Record<string, number>;
}

export interface ChaosReport {
  backend: Backend;
  nodes: number;
  rounds: RoundResult[];
  acknowledged: number;
  lost: string[];
  duplicateOccurrences: number;
  maxDeliveriesPerOccurrence: number;
  /** Deliveries of one occurrence that repeat an attempt number: the scheduler firing twice. */
  repeatedAttempts: string[];
}

interface Acked {
  kind: 'callback' | 'task';
  due: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

class Load {
  readonly acked = new Map<string, Acked>();
  readonly answers: { at: number; result: string }[] = [];
  readonly health: { at: number; result: string }[] = [];
  private running = true;
  private seq = 0;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly token: string,
  ) {}

  start(): void {
    // Eight clients, each a request at a time.
    this.loop = Promise.all([...Array.from({ length: 8 }, () => this.client()), this.healthProbe()]).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async client(): Promise<void> {
    while (this.running) {
      const urls = this.cluster.liveUrls();
      if (urls.length === 0) {
        await sleep(20);
        continue;
      }
      await this.send(urls[random(0, urls.length)]!);
      await sleep(10);
    }
  }

  /** What a load balancer sees: /healthz of each live node, every 100 ms. */
  private async healthProbe(): Promise<void> {
    while (this.running) {
      for (const url of this.cluster.liveUrls()) {
        const result = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) }).then(
          (r) => String(r.status),
          (error: { cause?: { code?: string }; name: string }) => error.cause?.code ?? error.name,
        );
        this.health.push({ at: Date.now(), result });
      }
      await sleep(100);
    }
  }

  private async send(base: string): Promise<void> {
    const n = ++this.seq;
    const due = Date.now() + random(0, 1000);
    const task = n % 5 === 0;
    const url = task ? `${base}/api/v1/jobs` : `${base}/v1.0/jobs/chaos-${n}`;
    const body = task ? { task_name: 'record', kwargs: { n } } : { dueTime: new Date(due).toISOString(), data: { n } };
    let result: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(10_000),
      });
      result = String(response.status);
      const answer = (await response.json().catch(() => null)) as { id?: string } | null;
      if (response.status === 200) this.acked.set(task ? answer!.id! : `chaos-${n}`, { kind: task ? 'task' : 'callback', due: task ? Date.now() : due });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      result = cause?.code ?? (error as Error).name;
    }
    this.answers.push({ at: Date.now(), result });
  }
}

/** Task job id → times it ran to the end (the fixture appends one line per finished run). */
function taskRuns(runLog: string): Map<string, number> {
  const runs = new Map<string, number>();
  if (!existsSync(runLog)) return runs;
  for (const line of readFileSync(runLog, 'utf8').split('\n')) {
    const id = line.split(' ')[0];
    if (id) runs.set(id, (runs.get(id) ?? 0) + 1);
  }
  return runs;
}

function deliveredSet(cluster: ChaosCluster): Set<string> {
  const done = new Set(cluster.receiver.deliveries.map((d) => d.body!.job_name!));
  for (const id of taskRuns(cluster.runLog).keys()) done.add(id);
  return done;
}

async function allHealthy(cluster: ChaosCluster): Promise<boolean> {
  const urls = cluster.liveUrls();
  if (urls.length < cluster.nodeCount) return false;
  const statuses = await Promise.all(urls.map((url) => fetch(`${url}/healthz`).then((r) => r.status, () => 0)));
  return statuses.every((s) => s === 204);
}

export async function runChaos(backend: Backend, nodes: number, plan: readonly Fault[]): Promise<ChaosReport> {
  const cluster = new ChaosCluster(backend, nodes);
  await cluster.start();
  const load = new Load(cluster, await testToken('write', 24 * 3600));
  const rounds: RoundResult[] = [];
  try {
    load.start();
    for (const fault of plan) {
      // A random moment under load.
      await sleep(random(500, 2500));
      const target = random(0, nodes);
      const downMs = fault === 'cut-connections' ? 0 : random(200, 2000);
      const faultAt = Date.now();
      await cluster.inject(fault, downMs, target);
      const backAt = Date.now();
      const dueBefore = [...load.acked].filter(([, a]) => a.due <= faultAt).map(([name]) => name);
      await waitFor(
        async () => {
          const done = deliveredSet(cluster);
          return dueBefore.every((name) => done.has(name)) && (await allHealthy(cluster));
        },
        120_000,
        `recovery from ${fault} on ${backend}`,
      ).catch((error: unknown) => {
        // What each node said is the only trace of why it did not recover.
        const logs = cluster.nodes.map((node, i) => `--- node ${i}:\n${node ? node.log().slice(-4000) : '(not running)'}`);
        throw new Error(`${(error as Error).message}\n${logs.join('\n')}`);
      });
      const recoveredAt = Date.now();
      rounds.push({
        fault,
        target,
        downMs,
        recoverMs: recoveredAt - backAt,
        redeliveryMs: latestRedelivery(cluster, faultAt, backAt),
        answers: histogram(load.answers, faultAt, recoveredAt),
        health: histogram(load.health, faultAt, recoveredAt),
      });
    }
    await load.stop();
    // Everything acknowledged is delivered in the end.
    const acked = [...load.acked.keys()];
    await waitFor(() => {
      const done = deliveredSet(cluster);
      return acked.every((name) => done.has(name));
    }, 120_000, 'every acknowledged job delivered').catch(() => undefined);
    const done = deliveredSet(cluster);
    const perOccurrence = new Map<string, string[]>();
    for (const d of cluster.receiver.deliveries) {
      const key = `${d.body!.job_name} @ ${d.body!.scheduled_time}`;
      perOccurrence.set(key, [...(perOccurrence.get(key) ?? []), d.attempt]);
    }
    const counts = [...perOccurrence.values()].map((attempts) => attempts.length);
    for (const runs of taskRuns(cluster.runLog).values()) counts.push(runs);
    return {
      backend,
      nodes,
      rounds,
      acknowledged: acked.length,
      lost: acked.filter((name) => !done.has(name)),
      duplicateOccurrences: counts.filter((c) => c > 1).length,
      maxDeliveriesPerOccurrence: Math.max(0, ...counts),
      repeatedAttempts: [...perOccurrence].filter(([, attempts]) => new Set(attempts).size < attempts.length).map(([key]) => key),
    };
  } finally {
    await load.stop();
    await cluster.stop();
  }
}

function latestRedelivery(cluster: ChaosCluster, faultAt: number, backAt: number): number | null {
  const firstAt = new Map<string, number>();
  let latest: number | null = null;
  for (const d of cluster.receiver.deliveries) {
    const key = `${d.body!.job_name} @ ${d.body!.scheduled_time}`;
    const first = firstAt.get(key);
    if (first === undefined) firstAt.set(key, d.at);
    else if (first < faultAt && d.at >= faultAt) latest = Math.max(latest ?? 0, Math.round(d.at - backAt));
  }
  return latest;
}

function histogram(events: readonly { at: number; result: string }[], from: number, to: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) if (e.at >= from && e.at <= to) counts[e.result] = (counts[e.result] ?? 0) + 1;
  return counts;
}

const sum = (maps: Record<string, number>[]) => {
  const total: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) total[k] = (total[k] ?? 0) + v;
  return Object.entries(total)
    .sort()
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The report as markdown, the form docs/operations.md records. */
export function formatReport(report: ChaosReport): string {
  const byFault = new Map<Fault, RoundResult[]>();
  for (const round of report.rounds) byFault.set(round.fault, [...(byFault.get(round.fault) ?? []), round]);
  const lines = [
    `### ${report.backend}, ${report.nodes} node(s) + 1 worker: ${report.acknowledged} jobs acknowledged, ${report.lost.length} lost`,
    '',
    `Duplicates: ${report.duplicateOccurrences} occurrence(s) delivered more than once (at most ${report.maxDeliveriesPerOccurrence} deliveries of one); attempts repeated: ${report.repeatedAttempts.length}.`,
    '',
    '| fault | rounds | down (ms, median) | in-flight callbacks redelivered, ms after back (max) | recovery after back (ms, median / max) | client answers from fault to recovery | /healthz answers meanwhile |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [fault, rounds] of byFault) {
    const recover = rounds.map((r) => r.recoverMs);
    const redelivered = rounds.map((r) => r.redeliveryMs).filter((ms): ms is number => ms !== null);
    const redelivery = redelivered.length === 0 ? 'none in flight' : `${Math.max(...redelivered)} (${redelivered.length} of ${rounds.length} rounds)`;
    lines.push(
      `| ${fault} | ${rounds.length} | ${median(rounds.map((r) => r.downMs))} | ${redelivery} | ${median(recover)} / ${Math.max(...recover)} | ${sum(rounds.map((r) => r.answers))} | ${sum(rounds.map((r) => r.health))} |`,
    );
  }
  return lines.join('\n');
}
