import type { DueSignal } from './store.js';

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
