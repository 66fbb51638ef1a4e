/**
 * Group commit: the calls made in one event-loop turn (concurrent API requests) are handed
 * over together, in arrival order and in groups up to a size, so they can share one
 * statement and one commit instead of paying one each.
 */
export interface BatchedCall<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export interface TurnBatchOptions<I, O> {
  /** Most rows (by `size`) one group may carry. */
  maxGroupSize: number;
  size: (input: I) => number;
  /** Runs one group; it must settle every call in it. */
  run: (group: readonly BatchedCall<I, O>[]) => Promise<void>;
}

export class TurnBatch<I, O> {
  private queued: BatchedCall<I, O>[] = [];
  private flushScheduled = false;

  constructor(private readonly options: TurnBatchOptions<I, O>) {}

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queued.push({ input, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const queued = this.queued;
    this.queued = [];
    let group: BatchedCall<I, O>[] = [];
    let size = 0;
    for (const call of queued) {
      const callSize = this.options.size(call.input);
      if (group.length > 0 && size + callSize > this.options.maxGroupSize) {
        this.runGroup(group);
        group = [];
        size = 0;
      }
      group.push(call);
      size += callSize;
    }
    if (group.length > 0) this.runGroup(group);
  }

  private runGroup(group: readonly BatchedCall<I, O>[]): void {
    this.options.run(group).catch((error: unknown) => {
      for (const call of group) call.reject(error); // settling twice is a no-op
    });
  }
}
