/**
 * Time as the HTTP layer sees it. `now()` is wall-clock milliseconds (it is compared with the
 * server's `Date` and `X-RateLimit-Reset` headers); `sleep` resolves after `ms` or rejects with
 * the signal's reason when the signal aborts first.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Optional: calls `onTimeout` after `ms` unless the returned function is called first. The
   * client's per-request timeout uses it when present (no AbortController per request); a clock
   * without it (a test's manual clock) gets the same behaviour through `sleep`.
   */
  timeout?(ms: number, onTimeout: () => void): () => void;
}

/** A clock backed by `Date.now` and Node's timers. A new object per call: no shared state. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    sleep: abortableSleep,
    timeout: (ms, onTimeout) => {
      const timer = setTimeout(onTimeout, Math.max(0, ms));
      return () => clearTimeout(timer);
    },
  };
}

/**
 * `setTimeout` as a promise that rejects with `signal.reason` on abort. Hand-written rather than
 * `timers/promises`, which builds a new `AbortError` (a stack trace) for every aborted sleep: the
 * rate limiter and the request timeout abort sleeps thousands of times per sync.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    if (!signal) {
      setTimeout(resolve, Math.max(0, ms));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
