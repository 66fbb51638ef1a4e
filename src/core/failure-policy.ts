import type { FailurePolicy } from './types.js';

/** Real Dapr's default when a job names no policy: constant 1 s, 3 retries. */
export const DAPR_DEFAULT_FAILURE_POLICY: FailurePolicy = { kind: 'constant', intervalMs: 1000, maxRetries: 3 };

/** How many retries the policy allows after the first attempt; null = forever. */
export function maxRetriesOf(policy: FailurePolicy): number | null {
  return policy.kind === 'drop' ? 0 : policy.maxRetries;
}

/**
 * When the next attempt may run after attempt number `attempts` (1-based) failed, or null
 * when the policy is spent and the job is dead-lettered.
 *
 * @example
 * retryAt({ kind: 'constant', intervalMs: 5000, maxRetries: 3 }, 1, now) // now + 5000
 * retryAt({ kind: 'constant', intervalMs: 5000, maxRetries: 3 }, 4, now) // null
 */
export function retryAt(policy: FailurePolicy, attempts: number, now: number, random: () => number = Math.random): number | null {
  const max = maxRetriesOf(policy);
  if (max !== null && attempts > max) return null;
  switch (policy.kind) {
    case 'drop':
      return null;
    case 'constant':
      return now + policy.intervalMs;
    case 'exponential': {
      const raw = policy.initialMs * policy.multiplier ** Math.max(0, attempts - 1);
      const capped = Math.min(policy.maxIntervalMs, raw);
      // "Full jitter" on the configured share spreads a herd of retries apart.
      return now + Math.round(capped * (1 - policy.jitter * random()));
    }
  }
}
