/** A count that only grows, and promises that resolve once it reaches a target. */
export class CountWaiters {
  private value = 0;
  private readonly waiters = new Set<{ target: number; resolve: () => void }>();

  /** `shortfall` words the error when a wait's signal aborts first. */
  constructor(private readonly shortfall: (count: number, target: number, signal: AbortSignal) => string) {}

  get count(): number {
    return this.value;
  }

  increment(by = 1): void {
    this.value += by;
    for (const waiter of this.waiters) {
      if (this.value >= waiter.target) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  waitFor(target: number, signal: AbortSignal): Promise<void> {
    if (this.value >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        target,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        reject(new Error(this.shortfall(this.value, target, signal)));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }
}

/** Counts completions a system reports and wakes whoever waits for a count. */
export class CompletionCounter extends CountWaiters {
  constructor(product: string) {
    super((count, target) => `${product} reported ${count} of ${target} jobs completed before the deadline`);
  }
}
