import type { Clock } from '../../src/http/clock.js';

interface Timer {
  at: number;
  seq: number;
  resolve(): void;
}

/** Lets every pending promise callback run (the microtask queue drains before the next macrotask). */
export async function flush(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A manual clock: `sleep` resolves only when `advance` moves time past its deadline, in deadline
 * order, letting promise chains run between timers.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = this.#timers.indexOf(timer);
        if (index >= 0) this.#timers.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
    });
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing due timers one by one. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#now + ms);
  }

  async advanceTo(target: number): Promise<void> {
    for (;;) {
      await flush();
      let next: Timer | undefined;
      for (const timer of this.#timers) {
        if (timer.at > target) continue;
        if (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq)) next = timer;
      }
      if (!next) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
    }
    this.#now = Math.max(this.#now, target);
    await flush();
  }

  /** Advances in steps until `done()` holds or `limitMs` has passed; returns whether it holds. */
  async runUntil(done: () => boolean, limitMs: number, stepMs = 10): Promise<boolean> {
    const end = this.#now + limitMs;
    await flush();
    while (!done() && this.#now < end) await this.advance(Math.min(stepMs, end - this.#now));
    return done();
  }
}
