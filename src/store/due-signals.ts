import type { DueSignal, NewJob } from './store.js';

type Listener = (signal: DueSignal | null) => void;

/** The in-process side of "something new may be due", shared by every backend. */
export class DueSignals {
  private readonly listeners = new Set<Listener>();

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(signal: DueSignal | null): void {
    for (const listener of this.listeners) listener(signal);
  }

  clear(): void {
    this.listeners.clear();
  }
}

/**
 * One signal per (target, queue) at the earliest run time, flagged `more` when later times
 * came too: a batch of a thousand future jobs stays one message.
 */
export function earliestPerLane(signals: readonly DueSignal[]): DueSignal[] {
  const earliest = new Map<string, DueSignal>();
  for (const signal of signals) {
    const key = `${signal.target}\u0000${signal.queue}`;
    const seen = earliest.get(key);
    if (!seen) earliest.set(key, { ...signal });
    else {
      if (signal.more || signal.runAt !== seen.runAt) seen.more = true;
      if (signal.runAt < seen.runAt) seen.runAt = signal.runAt;
    }
  }
  return [...earliest.values()];
}

/** What a committed insert of these jobs tells the listeners. */
export function dueSignalsOf(jobs: readonly Pick<NewJob, 'target' | 'queue' | 'runAt'>[]): DueSignal[] {
  return earliestPerLane(jobs.map((job) => ({ target: job.target, queue: job.queue, runAt: job.runAt })));
}
