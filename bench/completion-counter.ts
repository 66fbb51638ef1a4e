/** Counts completions a system reports and wakes whoever waits for a count. */
export class CompletionCounter {
  private count = 0;
  private readonly waiters = new Set<{ target: number; resolve: () => void }>();

  constructor(private readonly product: string) {}

  increment(by = 1): void {
    this.count += by;
    for (const waiter of this.waiters) {
      if (this.count >= waiter.target) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  waitFor(target: number, signal: AbortSignal): Promise<void> {
    if (this.count >= target) return Promise.resolve();
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
        reject(new Error(`${this.product} reported ${this.count} of ${target} jobs completed before the deadline`));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }
}

