/**
 * Fails a test file that leaves something running after its last hook: a server still
 * listening, a child process, a socket or a timer keeping the event loop alive. Such a leak
 * makes the next file in the same worker slower or flaky, and in a real program it is a bug.
 *
 * Node lists what keeps its loop alive (`process.getActiveResourcesInfo()`, ref'd handles
 * only: an unref'd timer or socket is not a leak). The check compares that list with the one
 * taken before the file's first test, and waits a little for what is closing to finish closing
 * (a socket whose peer just hung up closes on a later turn).
 */
import { afterAll, beforeAll } from 'vitest';

/** Resource kinds that outlive a test only when something forgot to close them. */
const WATCHED = new Set(['TCPServerWrap', 'TCPSocketWrap', 'PipeServerWrap', 'ProcessWrap', 'Timeout', 'UDPWrap', 'TTYWrap', 'SignalWrap']);
/** How long closing resources get to go away before they count as leaked. */
const GRACE_MS = 3000;

function watchedCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (WATCHED.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** What is running now beyond the baseline, as "2 TCPServerWrap" lines; empty when nothing is. */
function excessOver(baseline: Map<string, number>): string[] {
  const excess: string[] = [];
  for (const [kind, count] of watchedCounts()) {
    const extra = count - (baseline.get(kind) ?? 0);
    if (extra > 0) excess.push(`${extra} ${kind}`);
  }
  return excess;
}

/** Installs the check for the current test file; call it from a setup file. */
export function checkForLeaks(): void {
  let baseline = new Map<string, number>();
  beforeAll(() => {
    baseline = watchedCounts();
  });
  // Setup files register first, and after-all hooks run in reverse order: this runs last.
  afterAll(async () => {
    const deadline = Date.now() + GRACE_MS;
    let excess = excessOver(baseline);
    while (excess.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50).unref());
      excess = excessOver(baseline);
    }
    if (excess.length > 0) {
      throw new Error(`the test file left running: ${excess.join(', ')} (close servers, stores, clients and child processes in an after hook)`);
    }
  }, GRACE_MS + 5000);
}
