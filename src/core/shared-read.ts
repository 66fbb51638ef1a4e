/**
 * An expensive read shared by the callers that ask for it at the same time, without handing
 * anyone a result older than their request.
 *
 * A caller that arrives while a read runs does not join that read (it may have started before
 * the caller's last write was acknowledged); it waits for the next one, which starts as soon as
 * the running one ends and answers every caller that queued for it. So at most one read runs
 * and one waits, however many clients poll (a dashboard in ten tabs asking for the task job
 * stats that walk a million jobs), and each caller sees every write acknowledged before it
 * asked: the read-your-writes a per-request read gives, at a bounded cost.
 */
export class SharedRead<T> {
  private running = false;
  private queued: Array<{ resolve: (value: T) => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly load: () => Promise<T>) {}

  read(): Promise<T> {
    if (!this.running) return this.start();
    return new Promise<T>((resolve, reject) => this.queued.push({ resolve, reject }));
  }

  private start(): Promise<T> {
    this.running = true;
    let result: Promise<T>;
    try {
      result = this.load();
    } catch (error) {
      result = Promise.reject(error);
    }
    const next = (): void => this.startQueued();
    result.then(next, next);
    return result;
  }

  /** Called when a read ends: the callers that came during it get a fresh read of their own. */
  private startQueued(): void {
    const callers = this.queued;
    if (callers.length === 0) {
      this.running = false;
      return;
    }
    this.queued = [];
    this.start().then(
      (value) => callers.forEach((caller) => caller.resolve(value)),
      (error: unknown) => callers.forEach((caller) => caller.reject(error)),
    );
  }
}
