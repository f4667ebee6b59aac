/**
 * Exponential backoff with full jitter: the n-th retry waits a uniformly random time in
 * [0, min(maxMs, baseMs * 2^(n-1))). Pure: randomness comes in as a function.
 */
export interface BackoffPolicy {
  /** Upper bound of the first retry's wait. */
  baseMs: number;
  /** Upper bound of any wait. */
  maxMs: number;
  /** How many retries are allowed (0 = never retry). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: Readonly<Omit<BackoffPolicy, 'maxAttempts'>> = { baseMs: 500, maxMs: 30_000 };

/** Returns a validated copy of the policy; throws RangeError on nonsense values. */
export function backoffPolicy(policy: BackoffPolicy): BackoffPolicy {
  const { baseMs, maxMs, maxAttempts } = policy;
  if (!Number.isFinite(baseMs) || baseMs < 0)
    throw new RangeError('backoff baseMs must be a finite number >= 0');
  if (!Number.isFinite(maxMs) || maxMs < baseMs)
    throw new RangeError('backoff maxMs must be finite and >= baseMs');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 0) {
    throw new RangeError('backoff maxAttempts must be an integer >= 0');
  }
  return { baseMs, maxMs, maxAttempts };
}

/** The ceiling of the wait before retry number `retry` (1-based), before jitter. */
export function backoffCeiling(policy: BackoffPolicy, retry: number): number {
  // 2^(retry-1) overflows to Infinity for large retries; min() keeps the result at maxMs.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
}

/**
 * The wait before retry number `retry` (1-based), or `undefined` when the policy allows no more
 * retries. `random` returns a number in [0, 1), like Math.random.
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number): number | undefined {
  if (!Number.isInteger(retry) || retry < 1 || retry > policy.maxAttempts) return undefined;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeiling(policy, retry));
}
