import type { Clock } from './clock.js';
import { ConfigurationError } from './errors.js';

/** Response headers as undici (or node:http) hands them over; names are matched case-insensitively. */
export type HeaderBag = Readonly<Record<string, string | string[] | number | undefined>>;

/** What the rate-limit headers of one response say. */
export interface RateLimitInfo {
  /** `X-RateLimit-Limit`: the budget of one window. */
  limit?: number;
  /** `X-RateLimit-Remaining`: what is left in the current window. */
  remaining?: number;
  /** `X-RateLimit-Reset`: Unix seconds (server clock) when the window resets. */
  resetAt?: number;
  /** `Date`, in milliseconds since the epoch (server clock, one-second resolution). */
  dateMs?: number;
}

/** Permission to send one request. Release it once the response (or failure) is in. */
export interface Permit {
  /** Pass the response headers, or `undefined` when no response arrived. Idempotent. */
  release(headers?: HeaderBag): void;
}

/** What the client needs from a limiter. */
export interface RequestLimiter {
  acquire(signal: AbortSignal): Promise<Permit>;
  /** Call after a 429 (and after releasing its permit) with `X-RateLimit-Reset` (Unix seconds). */
  onRateLimited(resetAt?: number): void;
}

export interface RateLimiterOptions {
  /** Time source; `sleep` must reject when its signal aborts. */
  clock: Clock;
  /** Length of Intercom's window. Default 10,000 ms. */
  windowMs?: number;
  /** Requests assumed per window before any rate-limit header has been seen. Default 50. */
  initialBudget?: number;
  /** Concurrency while the budget is unknown (first window, or a new window not yet confirmed). Default 2. */
  initialConcurrency?: number;
  /** Upper bound on requests in flight. Default 10. */
  maxInFlight?: number;
  /** The user's own cap; never more than cap * windowMs / 60 s requests in any window. */
  maxRequestsPerMinute?: number;
  /**
   * The cap counts sends over `windowMs + capMarginMs`, so that requests delayed on their way (a new
   * connection, a busy network) cannot land more than the cap in one of the server's windows. It
   * costs the capped rate `windowMs / (windowMs + capMarginMs)`. Default: 5% of the window (500 ms).
   */
  capMarginMs?: number;
  /** How many requests may leave back to back before pacing applies. Default 3. */
  burst?: number;
  /**
   * Extra wait after a window's reset before assuming a fresh budget without confirmation (the
   * reset header has a one-second resolution, and clocks drift). It costs no throughput: the
   * window's budget is paced over the time that is left. Default 1,000 ms.
   */
  rolloverMarginMs?: number;
  /** Bounds of the wait after a 429. Defaults 50 ms and 11,000 ms. */
  minRateLimitWaitMs?: number;
  maxRateLimitWaitMs?: number;
  /** A server `Date` further than this from the local clock is taken as clock skew. Default 2,000 ms. */
  skewThresholdMs?: number;
}

export interface RateLimiterStats {
  /** Permits granted (requests sent). */
  sent: number;
  /** Times the limiter slept for pacing, budget, cap or a 429 before granting. */
  throttledWaits: number;
  /** Total milliseconds spent in those sleeps. */
  throttledMs: number;
  /** Times a caller had to wait for a request in flight to finish (concurrency bound). */
  concurrencyWaits: number;
  /** 429 answers reported through onRateLimited. */
  rateLimited: number;
  inFlight: number;
  queued: number;
  /** Last `X-RateLimit-Limit` seen. */
  limit: number | undefined;
  /** Current estimate of the budget left for new requests in this window. */
  available: number;
  /** Local time (ms) at which the current window is believed to reset. */
  windowResetAt: number | undefined;
  /** Estimated server clock minus local clock, in ms (0 unless beyond the skew threshold). */
  clockOffsetMs: number;
}

/** Reads Intercom's rate-limit headers and `Date`; absent or malformed values are left out. */
export function parseRateLimitHeaders(headers: HeaderBag | undefined): RateLimitInfo {
  const info: RateLimitInfo = {};
  if (!headers) return info;
  const limit = numberHeader(headers, 'x-ratelimit-limit');
  const remaining = numberHeader(headers, 'x-ratelimit-remaining');
  const reset = numberHeader(headers, 'x-ratelimit-reset');
  if (limit !== undefined && limit >= 0) info.limit = Math.floor(limit);
  if (remaining !== undefined && remaining >= 0) info.remaining = Math.floor(remaining);
  if (reset !== undefined && reset > 0) info.resetAt = reset;
  const date = headerValue(headers, 'date');
  if (date !== undefined) {
    const ms = Date.parse(date);
    if (Number.isFinite(ms)) info.dateMs = ms;
  }
  return info;
}

function headerValue(headers: HeaderBag, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) value = value[0];
  return value === undefined ? undefined : String(value);
}

function numberHeader(headers: HeaderBag, name: string): number | undefined {
  const raw = headerValue(headers, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

interface Waiter {
  resolve(permit: Permit): void;
  reject(reason: unknown): void;
}

type Decision = { kind: 'grant' } | { kind: 'wait-release' } | { kind: 'wait-time'; ms: number };

/** Largest correction applied for clock skew that the `Date` header did not reveal. */
const MAX_LAG_MS = 3_000;
const EPSILON = 1e-9;
/** The reason a pacing sleep is cut short with: created once, so that waking allocates no error. */
const WOKEN = new Error('rate limiter woken early');

/**
 * One limiter shared by every request of a sync.
 *
 * - Budget: `available` is the number of requests that may still be sent in the current window. A
 *   send decrements it at once, so requests in flight consume budget before their answer arrives.
 *   An answer reporting `Remaining = R` for the current window sets `available = min(available,
 *   R - inFlight)`: the other requests in flight may not have reached the server yet. Answers about
 *   an older window are ignored (they are stale).
 * - Pacing: a token bucket of capacity `burst` refilled at `(available + 1) / timeLeftInWindow` (and at
 *   most `cap / (windowMs + capMarginMs)` when the user set a cap), recomputed at every decision, so the remaining
 *   budget is spread evenly over the time left instead of being spent at the window start.
 * - Windows: when the believed reset time (plus a margin) passes, a fresh window is assumed with the
 *   last known `X-RateLimit-Limit`, but concurrency stays at `initialConcurrency` until an answer
 *   from the new window confirms the budget. If that answer still reports the old window (the local
 *   clock runs ahead of the server's by less than the `Date` threshold), the limiter returns to the
 *   old window and learns the lag. Any answer that counts a request in a window ending before the
 *   request left (by our clock) also teaches a lower bound of that lag.
 * - 429: no request is granted until the reported reset, converted to local time with the offset
 *   estimated from `Date`, clamped to [minRateLimitWaitMs, maxRateLimitWaitMs]. A 429 soon after
 *   such a wait ended doubles the minimum wait (50 ms, 100 ms, ...), so a wrong reset cannot burn
 *   a request's 429 allowance within a second.
 */
export class RateLimiter implements RequestLimiter {
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #initialBudget: number;
  readonly #initialConcurrency: number;
  readonly #maxInFlight: number;
  readonly #capPerWindow: number | undefined;
  readonly #capSpanMs: number;
  readonly #burst: number;
  readonly #rolloverMarginMs: number;
  readonly #minRateLimitWaitMs: number;
  readonly #maxRateLimitWaitMs: number;
  readonly #skewThresholdMs: number;
  readonly #sameWindowToleranceMs: number;

  // Window state, all times local milliseconds.
  #windowId = 0;
  #windowResetAt: number | undefined;
  #rolloverAt = 0;
  #available = 0;
  #limit: number | undefined;
  #headersSeen = false;
  #confirmed = false;
  #offsetMs = 0;
  #lagMs = 0;
  #rateLimitedUntil = 0;
  #lastRateLimitedAt = Number.NEGATIVE_INFINITY;
  #rateLimitStreak = 0;

  // Pacing.
  #tokens: number;
  #lastRefill = 0;
  readonly #sendTimes: number[] = [];

  #inFlight = 0;
  readonly #queue: Waiter[] = [];
  readonly #waitersBySignal = new WeakMap<AbortSignal, Set<Waiter>>();
  #pumping = false;
  #wake: (() => void) | undefined;

  readonly #stats = { sent: 0, throttledWaits: 0, throttledMs: 0, concurrencyWaits: 0, rateLimited: 0 };

  constructor(options: RateLimiterOptions) {
    this.#clock = options.clock;
    this.#windowMs = positive(options.windowMs ?? 10_000, 'windowMs');
    this.#initialBudget = positiveInteger(options.initialBudget ?? 50, 'initialBudget');
    this.#maxInFlight = positiveInteger(options.maxInFlight ?? 10, 'maxInFlight');
    this.#initialConcurrency = Math.min(
      this.#maxInFlight,
      positiveInteger(options.initialConcurrency ?? 2, 'initialConcurrency'),
    );
    this.#burst = positive(options.burst ?? 3, 'burst');
    this.#rolloverMarginMs = nonNegative(options.rolloverMarginMs ?? 1_000, 'rolloverMarginMs');
    this.#minRateLimitWaitMs = nonNegative(options.minRateLimitWaitMs ?? 50, 'minRateLimitWaitMs');
    this.#maxRateLimitWaitMs = Math.max(
      this.#minRateLimitWaitMs,
      nonNegative(options.maxRateLimitWaitMs ?? 11_000, 'maxRateLimitWaitMs'),
    );
    this.#skewThresholdMs = nonNegative(options.skewThresholdMs ?? 2_000, 'skewThresholdMs');
    this.#sameWindowToleranceMs = Math.min(1_500, this.#windowMs * 0.3);
    this.#capSpanMs =
      this.#windowMs + nonNegative(options.capMarginMs ?? this.#windowMs * 0.05, 'capMarginMs');
    if (options.maxRequestsPerMinute !== undefined) {
      const perWindow = Math.floor((options.maxRequestsPerMinute * this.#windowMs) / 60_000);
      if (!Number.isFinite(perWindow) || perWindow < 1) {
        throw new ConfigurationError(
          `Set maxRequestsPerMinute to at least ${Math.ceil(60_000 / this.#windowMs)} (one request per rate-limit window).`,
        );
      }
      this.#capPerWindow = perWindow;
    }
    this.#tokens = this.#burst;
  }

  acquire(signal: AbortSignal): Promise<Permit> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (permit) => {
          this.#unwatch(signal, waiter);
          resolve(permit);
        },
        reject,
      };
      this.#watch(signal, waiter);
      this.#queue.push(waiter);
      this.#kick();
    });
  }

  /**
   * One abort listener per signal, however many of its requests are queued: a sync passes the same
   * signal to hundreds of requests, and one listener each would trip Node's leak warning.
   */
  #watch(signal: AbortSignal, waiter: Waiter): void {
    let waiters = this.#waitersBySignal.get(signal);
    if (!waiters) {
      const group = new Set<Waiter>();
      waiters = group;
      this.#waitersBySignal.set(signal, group);
      signal.addEventListener(
        'abort',
        () => {
          this.#waitersBySignal.delete(signal);
          for (const queued of group) {
            const index = this.#queue.indexOf(queued);
            if (index >= 0) this.#queue.splice(index, 1);
            queued.reject(signal.reason);
          }
          group.clear();
          this.#kick();
        },
        { once: true },
      );
    }
    waiters.add(waiter);
  }

  #unwatch(signal: AbortSignal, waiter: Waiter): void {
    // The listener stays until the signal is collected or aborts; an empty group costs nothing.
    this.#waitersBySignal.get(signal)?.delete(waiter);
  }

  onRateLimited(resetAt?: number): void {
    this.#stats.rateLimited += 1;
    const now = this.#clock.now();
    let resetLocal: number;
    if (resetAt !== undefined && Number.isFinite(resetAt)) {
      resetLocal = resetAt * 1000 - this.#offsetMs;
    } else if (this.#windowResetAt !== undefined && this.#windowResetAt > now) {
      resetLocal = this.#windowResetAt;
    } else {
      resetLocal = now + 1_000;
    }
    // 429s answered to requests sent during an earlier 429's wait belong to the same episode; a 429
    // soon after a wait ended means the reset was wrong (skew, or another app took the budget):
    // wait longer each time so that the retries of a request are not used up in a second.
    const sameEpisode = now < this.#rateLimitedUntil;
    if (!sameEpisode) {
      const recent = now - this.#lastRateLimitedAt <= 2 * this.#windowMs;
      this.#rateLimitStreak = recent ? this.#rateLimitStreak + 1 : 1;
    }
    this.#lastRateLimitedAt = now;
    const escalation = this.#minRateLimitWaitMs * 2 ** Math.min(20, this.#rateLimitStreak - 1);
    const waitMs = Math.min(
      this.#maxRateLimitWaitMs,
      Math.max(this.#minRateLimitWaitMs, escalation, resetLocal + this.#lagMs - now),
    );
    const until = Math.max(now + waitMs, sameEpisode ? this.#rateLimitedUntil : 0);
    this.#rateLimitedUntil = until;
    this.#windowId += 1;
    this.#rolloverAt = until;
    this.#windowResetAt = Math.min(resetLocal, until);
    this.#available = 0;
    this.#confirmed = true;
    this.#kick();
  }

  stats(): RateLimiterStats {
    return {
      ...this.#stats,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      limit: this.#limit,
      available: this.#available,
      windowResetAt: this.#windowResetAt,
      clockOffsetMs: this.#offsetMs,
    };
  }

  // ---- scheduling -------------------------------------------------------------------------

  #kick(): void {
    if (this.#pumping) {
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
      return;
    }
    void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const now = this.#clock.now();
        const decision = this.#decide(now);
        if (decision.kind === 'grant') {
          const waiter = this.#queue.shift();
          waiter?.resolve(this.#grant(now));
          continue;
        }
        if (decision.kind === 'wait-release') {
          // A plain promise: a release wakes the pump thousands of times per sync, and an
          // AbortController per wait (plus its abort) would cost far more than the decision.
          this.#stats.concurrencyWaits += 1;
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
        } else {
          this.#stats.throttledWaits += 1;
          await this.#timedWait(decision.ms);
          this.#stats.throttledMs += Math.max(0, this.#clock.now() - now);
        }
        this.#wake = undefined;
      }
    } finally {
      this.#pumping = false;
      this.#wake = undefined;
    }
  }

  /**
   * Waits `ms`, or less when `#wake` is called (a state change: decide again). Every release and
   * acquire wakes the pump, so this avoids an AbortController per wait when the clock has timers.
   */
  async #timedWait(ms: number): Promise<void> {
    if (this.#clock.timeout !== undefined) {
      const clock = this.#clock as Required<Clock>;
      await new Promise<void>((resolve) => {
        const cancel = clock.timeout(ms, resolve);
        this.#wake = () => {
          cancel();
          resolve();
        };
      });
      return;
    }
    const wakeUp = new AbortController();
    this.#wake = () => wakeUp.abort(WOKEN);
    try {
      await this.#clock.sleep(ms, wakeUp.signal);
    } catch {
      // Woken early by a state change: decide again.
    }
  }

  #decide(now: number): Decision {
    this.#refreshWindow(now);
    // A 429's wait is honoured to the end, whatever other answers say meanwhile.
    if (now < this.#rateLimitedUntil)
      return { kind: 'wait-time', ms: Math.max(1, Math.ceil(this.#rateLimitedUntil - now)) };
    const concurrency = this.#headersSeen && this.#confirmed ? this.#maxInFlight : this.#initialConcurrency;
    if (this.#inFlight >= concurrency) return { kind: 'wait-release' };

    const rolloverIn = Math.max(1, Math.ceil(this.#rolloverAt - now));
    if (this.#capPerWindow !== undefined) {
      while (this.#sendTimes.length > 0 && (this.#sendTimes[0] ?? 0) + this.#capSpanMs <= now)
        this.#sendTimes.shift();
      if (this.#sendTimes.length >= this.#capPerWindow) {
        const oldest = this.#sendTimes[0] ?? now;
        return { kind: 'wait-time', ms: Math.max(1, Math.ceil(oldest + this.#capSpanMs - now)) };
      }
    }
    if (this.#available < 1) return { kind: 'wait-time', ms: rolloverIn };

    const timeLeft = Math.max(1, (this.#windowResetAt ?? now + this.#windowMs) - now);
    // Spacing timeLeft / (available + 1): the sends are spread evenly with a gap left at both ends,
    // so the last one of the window is not sent at the very instant of the reset.
    let rate = (this.#available + 1) / timeLeft;
    if (this.#capPerWindow !== undefined) rate = Math.min(rate, this.#capPerWindow / this.#capSpanMs);
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#lastRefill) * rate);
    this.#lastRefill = now;
    if (this.#tokens >= 1 - EPSILON) return { kind: 'grant' };
    const refillMs = Math.ceil((1 - this.#tokens) / rate);
    return { kind: 'wait-time', ms: Math.max(1, Math.min(refillMs, rolloverIn)) };
  }

  /** Starts the first window, or assumes a fresh one once the believed reset has passed. */
  #refreshWindow(now: number): void {
    if (this.#windowResetAt === undefined) {
      this.#windowId += 1;
      this.#windowResetAt = now + this.#windowMs;
      this.#rolloverAt = this.#windowResetAt;
      this.#available = this.#initialBudget;
      this.#tokens = this.#burst;
      this.#lastRefill = now;
      return;
    }
    if (now < this.#rolloverAt) return;
    let next = this.#windowResetAt + this.#windowMs;
    if (next <= now) next += Math.ceil((now - next + 1) / this.#windowMs) * this.#windowMs;
    this.#windowId += 1;
    this.#windowResetAt = next;
    this.#rolloverAt = this.#headersSeen ? next + this.#rolloverMarginMs + this.#lagMs : next;
    const budget = this.#headersSeen ? (this.#limit ?? this.#initialBudget) : this.#initialBudget;
    this.#available = budget - this.#inFlight;
    this.#confirmed = false;
    this.#tokens = this.#burst;
    this.#lastRefill = now;
  }

  #grant(now: number): Permit {
    this.#tokens -= 1;
    this.#available -= 1;
    this.#inFlight += 1;
    this.#stats.sent += 1;
    if (this.#capPerWindow !== undefined) this.#sendTimes.push(now);
    const sent = { windowId: this.#windowId, at: now };
    let released = false;
    return {
      release: (headers) => {
        if (released) return;
        released = true;
        this.#inFlight -= 1;
        this.#observe(sent, headers);
        this.#kick();
      },
    };
  }

  /** Folds one response's headers into the window state. */
  #observe(sent: { windowId: number; at: number }, headers: HeaderBag | undefined): void {
    const info = parseRateLimitHeaders(headers);
    const now = this.#clock.now();
    if (info.dateMs !== undefined) {
      // Date is truncated to the second: compare its midpoint with the local clock.
      const diff = info.dateMs + 500 - now;
      this.#offsetMs = Math.abs(diff) > this.#skewThresholdMs ? Math.round(diff) : 0;
    }
    if (info.limit !== undefined) this.#limit = info.limit;
    if (info.remaining === undefined) return;

    const othersInFlight = this.#inFlight;
    const reported = info.remaining - othersInFlight;
    const current = this.#windowResetAt ?? now + this.#windowMs;
    const resetLocal = info.resetAt === undefined ? current : info.resetAt * 1000 - this.#offsetMs;
    // The server counted this request in the window ending at `resetLocal`, so its clock had not
    // reached that time when the request arrived: a request sent later than that (by our clock)
    // shows that our clock runs ahead by at least the difference.
    const lagAtLeast = info.resetAt === undefined ? 0 : sent.at - resetLocal;
    if (lagAtLeast > 0) this.#learnLag(lagAtLeast, false);

    if (!this.#headersSeen || resetLocal > current + this.#sameWindowToleranceMs) {
      // First headers ever, or the server is in a later window than we thought: adopt it.
      this.#headersSeen = true;
      this.#setWindow(resetLocal);
      this.#available = reported;
      this.#confirmed = true;
      return;
    }
    if (resetLocal >= current - this.#sameWindowToleranceMs) {
      // Same window.
      if (resetLocal > current) this.#setWindow(resetLocal, false);
      this.#available = this.#confirmed ? Math.min(this.#available, reported) : reported;
      this.#confirmed = true;
      return;
    }
    if (sent.windowId === this.#windowId && !this.#confirmed) {
      // Sent after we assumed a new window, yet counted in the old one: the local clock runs ahead
      // of the server's by more than we allowed for. Go back to the old window, wait longer.
      this.#learnLag(lagAtLeast, true);
      this.#setWindow(resetLocal);
      this.#available = reported;
      this.#confirmed = true;
    }
    // Otherwise a stale answer about an older window: nothing to learn about the budget.
  }

  /**
   * Learns that the local clock runs at least `lagMs` ahead of the server's (beyond the `Date`
   * offset). After a missed rollover the estimate at least doubles, so that it converges in a
   * window or two; waiting a little too long at a window start costs no throughput.
   */
  #learnLag(lagMs: number, missedRollover: boolean): void {
    const floor = Math.min(1_000, this.#windowMs / 10);
    const target = missedRollover ? Math.max(lagMs, 2 * this.#lagMs, floor) : lagMs;
    if (target <= this.#lagMs) return;
    this.#lagMs = Math.min(MAX_LAG_MS, target);
    if (this.#windowResetAt !== undefined) {
      this.#rolloverAt = Math.max(
        this.#rolloverAt,
        this.#windowResetAt + this.#rolloverMarginMs + this.#lagMs,
      );
    }
  }

  #setWindow(resetLocal: number, newWindow = true): void {
    if (newWindow) this.#windowId += 1;
    this.#windowResetAt = resetLocal;
    this.#rolloverAt = resetLocal + this.#rolloverMarginMs + this.#lagMs;
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`Set ${name} to a number above 0.`);
  return value;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigurationError(`Set ${name} to a whole number of at least 1.`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigurationError(`Set ${name} to a number of at least 0.`);
  return value;
}
