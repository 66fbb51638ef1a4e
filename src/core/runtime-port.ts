/**
 * What request-time services ask of this node's runtime, and nothing more: services never
 * import the runtime; the engine implements this port and the server hands it over. A node
 * without an engine (a test of one service) passes NO_RUNTIME: cancels then reach running
 * jobs through the store's cancel poll, and run-sync polls for outcomes.
 */
export interface RuntimePort {
  /** Aborts a job running on this node at once (a cancel made here); false when it does not run here. */
  abortJob(jobId: string): boolean;
  /**
   * Calls `wake` whenever an outcome of `jobId` written by this node lands (run-sync waits on
   * it instead of polling when the job runs here). Returns the unsubscribe function.
   */
  onOutcomeWritten(jobId: string, wake: () => void): () => void;
  /**
   * Ends, cancelled and unrun, the jobs of a schedule that this node claimed ahead of their due
   * time and holds (the schedule was deleted or replaced here, and a delete removes waiting
   * jobs only). Jobs held by other nodes still fire: they start within their lead.
   */
  cancelHeld(scheduleId: string): void;
}

/** No local runtime: nothing runs here to abort or to wait for. */
export const NO_RUNTIME: RuntimePort = {
  abortJob: () => false,
  onOutcomeWritten: () => () => {},
  cancelHeld: () => {},
};
