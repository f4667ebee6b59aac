import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time as the HTTP layer sees it. `now()` is wall-clock milliseconds (it is compared with the
 * server's `Date` and `X-RateLimit-Reset` headers); `sleep` resolves after `ms` or rejects with
 * the signal's reason when the signal aborts first.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A clock backed by `Date.now` and Node's timers. A new object per call: no shared state. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    sleep: async (ms, signal) => {
      await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
    },
  };
}
