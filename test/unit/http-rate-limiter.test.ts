import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/http/errors.js';
import {
  type HeaderBag,
  type Permit,
  parseRateLimitHeaders,
  RateLimiter,
  type RateLimiterOptions,
} from '../../src/http/rate-limiter.js';
import { FakeClock, flush } from '../http/fake-clock.js';

// A multiple of 10 s, so that a server with aligned windows starts one at T0.
const T0 = 1_700_000_000_000;
/** A signal that never aborts; a fresh one per use so that no signal collects listeners across tests. */
const never = (): AbortSignal => new AbortController().signal;

function limiterWith(clock: FakeClock, options: Partial<RateLimiterOptions> = {}): RateLimiter {
  return new RateLimiter({ clock, ...options });
}

function rateHeaders(h: { limit: number; remaining: number; resetMs: number; dateMs: number }): HeaderBag {
  return {
    'x-ratelimit-limit': String(h.limit),
    'x-ratelimit-remaining': String(h.remaining),
    'x-ratelimit-reset': String(Math.ceil(h.resetMs / 1000)),
    date: new Date(h.dateMs).toUTCString(),
  };
}

/** A fake Intercom: fixed windows on its own clock, counts requests on arrival, refuses over budget. */
class WindowServer {
  readonly counts = new Map<number, number>();
  refused = 0;
  readonly refusedInWindow = new Map<number, number>();

  constructor(
    private readonly clock: FakeClock,
    private readonly budget: number,
    private readonly options: { windowMs?: number; phaseMs?: number; lagMs?: number } = {},
  ) {}

  get windowMs(): number {
    return this.options.windowMs ?? 10_000;
  }

  serverNow(): number {
    return this.clock.now() - (this.options.lagMs ?? 0);
  }

  handle(): { status: number; headers: HeaderBag } {
    const phase = this.options.phaseMs ?? 0;
    const window = Math.floor((this.serverNow() - phase) / this.windowMs);
    const count = (this.counts.get(window) ?? 0) + 1;
    this.counts.set(window, count);
    const status = count > this.budget ? 429 : 200;
    if (status === 429) {
      this.refused += 1;
      this.refusedInWindow.set(window, (this.refusedInWindow.get(window) ?? 0) + 1);
    }
    return {
      status,
      headers: rateHeaders({
        limit: this.budget,
        remaining: Math.max(0, this.budget - count),
        resetMs: (window + 1) * this.windowMs + phase,
        dateMs: this.serverNow(),
      }),
    };
  }

  maxPerWindow(): number {
    return Math.max(0, ...this.counts.values());
  }
}

interface DriveResult {
  grants: number[];
  maxInFlight: number;
}

/** Runs `requests` concurrent requests through the limiter against the fake server. */
async function drive(
  clock: FakeClock,
  limiter: RateLimiter,
  server: WindowServer,
  requests: number,
  latencyMs: (i: number) => number,
  limitMs: number,
): Promise<DriveResult> {
  const grants: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let done = 0;
  const tasks = Array.from({ length: requests }, async (_, i) => {
    const permit = await limiter.acquire(never());
    grants.push(clock.now());
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const latency = latencyMs(i);
    await clock.sleep(latency / 2);
    const answer = server.handle();
    await clock.sleep(latency / 2);
    inFlight -= 1;
    permit.release(answer.headers);
    if (answer.status === 429) limiter.onRateLimited(Number(answer.headers['x-ratelimit-reset']));
    done += 1;
  });
  const finished = await clock.runUntil(() => done === requests, limitMs, 100);
  expect(finished, `only ${done} of ${requests} requests finished`).toBe(true);
  await Promise.all(tasks);
  return { grants, maxInFlight };
}

/** Acquires one permit and releases it with the given headers, to tell the limiter the budget. */
async function prime(limiter: RateLimiter, headers: HeaderBag): Promise<void> {
  const permit = await limiter.acquire(never());
  permit.release(headers);
}

/** Starts an acquire and records when it is granted. */
function track(clock: FakeClock, limiter: RateLimiter, signal: AbortSignal = never()) {
  const state: { at?: number; permit?: Permit; error?: unknown } = {};
  const promise = limiter.acquire(signal).then(
    (permit) => {
      state.at = clock.now();
      state.permit = permit;
    },
    (error: unknown) => {
      state.error = error;
    },
  );
  return { state, promise };
}

describe('parseRateLimitHeaders', () => {
  it('reads limit, remaining, reset and date, case-insensitively', () => {
    expect(
      parseRateLimitHeaders({
        'X-RateLimit-Limit': '167',
        'x-ratelimit-remaining': ['12'],
        'x-ratelimit-reset': '1700000010',
        Date: 'Tue, 14 Nov 2023 22:13:20 GMT',
      }),
    ).toEqual({ limit: 167, remaining: 12, resetAt: 1_700_000_010, dateMs: T0 });
  });

  it('ignores missing and malformed values', () => {
    expect(parseRateLimitHeaders(undefined)).toEqual({});
    expect(
      parseRateLimitHeaders({ 'x-ratelimit-limit': 'many', 'x-ratelimit-remaining': '', date: 'soon' }),
    ).toEqual({});
  });
});

describe('RateLimiter', () => {
  it('spreads the remaining budget evenly over the time left in the window', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { burst: 1, maxInFlight: 50 });
    const server = new WindowServer(clock, 100);
    await prime(limiter, server.handle().headers);

    const { grants } = await drive(clock, limiter, server, 99, () => 0, 20_000);
    const gaps = grants.slice(1).map((t, i) => t - (grants[i] ?? t));
    // 99 requests over 10 s: about 100 ms apart, never a burst, the last one well before the reset.
    expect(grants[0]).toBeGreaterThanOrEqual(T0 + 90);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(90);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(115);
    expect(grants.at(-1)).toBeLessThan(T0 + 9_950);
    expect(server.refused).toBe(0);
  });

  it('adapts the pace to the budget left, not to the budget of a whole window', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { burst: 1 });
    // Another app already used 80 of 100: 20 left for 10 s, so about 500 ms apart.
    await prime(limiter, rateHeaders({ limit: 100, remaining: 20, resetMs: T0 + 10_000, dateMs: T0 }));
    const first = track(clock, limiter);
    await clock.advance(400);
    expect(first.state.at).toBeUndefined();
    await clock.advance(200);
    expect(first.state.at).toBeGreaterThanOrEqual(T0 + 470);
    expect(first.state.at).toBeLessThanOrEqual(T0 + 530);
  });

  it('allows only a small burst at the start of a window and paces the rest', async () => {
    const clock = new FakeClock(T0);
    const burst = 3;
    const limiter = limiterWith(clock, { burst, maxInFlight: 20 });
    const server = new WindowServer(clock, 60);
    const { grants } = await drive(clock, limiter, server, 170, () => 50, 60_000);
    expect(server.refused).toBe(0);
    expect(server.maxPerWindow()).toBeLessThanOrEqual(60);
    // In the first second of each later window: the burst plus one second's worth of pace.
    for (const window of [1, 2]) {
      const start = T0 + window * 10_000;
      const early = grants.filter((t) => t >= start && t < start + 1_000).length;
      expect(early).toBeLessThanOrEqual(burst + 7);
    }
  });

  it('never sends more than Remaining, counting requests in flight before their answers arrive', async () => {
    const clock = new FakeClock(T0);
    // The initial guess (50) is above the real budget (20): limited concurrency keeps it safe.
    const limiter = limiterWith(clock, { maxInFlight: 50, initialBudget: 50, initialConcurrency: 2 });
    const server = new WindowServer(clock, 20, { phaseMs: 3_700 });
    const { maxInFlight } = await drive(clock, limiter, server, 120, (i) => 200 + ((i * 137) % 600), 90_000);
    expect(server.refused).toBe(0);
    expect(server.maxPerWindow()).toBeLessThanOrEqual(20);
    expect(maxInFlight).toBeGreaterThan(2);
    // 120 requests at 20 per window: about 6 windows, not many more.
    expect(clock.now() - T0).toBeLessThan(75_000);
  });

  it('holds in-flight requests against Remaining', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { maxInFlight: 20 });
    await prime(limiter, rateHeaders({ limit: 100, remaining: 5, resetMs: T0 + 10_000, dateMs: T0 }));
    const waits = Array.from({ length: 10 }, () => track(clock, limiter));
    await clock.advanceTo(T0 + 9_900);
    const granted = waits.filter((w) => w.state.permit);
    expect(granted).toHaveLength(5);
    // A late answer saying 4 remain tells nothing new: the other 4 in flight may not have arrived yet.
    granted[0]?.state.permit?.release(
      rateHeaders({ limit: 100, remaining: 4, resetMs: T0 + 10_000, dateMs: T0 + 9_900 }),
    );
    await clock.advance(50);
    expect(waits.filter((w) => w.state.permit)).toHaveLength(5);
  });

  it('waits for the window to roll over when the budget is spent, then confirms before speeding up', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { maxInFlight: 10, initialConcurrency: 2, rolloverMarginMs: 100 });
    await prime(limiter, rateHeaders({ limit: 50, remaining: 0, resetMs: T0 + 3_000, dateMs: T0 }));
    const waits = Array.from({ length: 6 }, () => track(clock, limiter));
    await clock.advanceTo(T0 + 3_099);
    expect(waits.filter((w) => w.state.permit)).toHaveLength(0);
    await clock.advanceTo(T0 + 3_100);
    // A fresh window is assumed, but until an answer confirms it only two go out.
    await clock.advance(500);
    expect(waits.filter((w) => w.state.permit)).toHaveLength(2);
    expect(waits[0]?.state.at).toBe(T0 + 3_100);
    waits[0]?.state.permit?.release(
      rateHeaders({ limit: 50, remaining: 48, resetMs: T0 + 13_000, dateMs: T0 + 3_600 }),
    );
    await clock.advance(1_000);
    expect(waits.filter((w) => w.state.permit).length).toBeGreaterThanOrEqual(5);
  });

  it('starts conservatively before any rate-limit header is known', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { maxInFlight: 10, initialConcurrency: 2, initialBudget: 4 });
    let inFlight = 0;
    let maxInFlight = 0;
    const grants: number[] = [];
    let done = 0;
    const tasks = Array.from({ length: 8 }, async () => {
      const permit = await limiter.acquire(never());
      grants.push(clock.now());
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await clock.sleep(300);
      inFlight -= 1;
      permit.release(undefined); // no rate-limit headers at all
      done += 1;
    });
    await clock.advanceTo(T0 + 9_999);
    expect(grants.length).toBe(4);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    await clock.runUntil(() => done === 8, 30_000);
    await Promise.all(tasks);
    expect(grants.filter((t) => t < T0 + 20_000)).toHaveLength(8);
  });

  it('bounds concurrency with maxInFlight', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { maxInFlight: 3, burst: 10 });
    const server = new WindowServer(clock, 1_000);
    await prime(limiter, server.handle().headers);
    const { maxInFlight } = await drive(clock, limiter, server, 30, () => 200, 30_000);
    expect(maxInFlight).toBe(3);
  });

  it('never exceeds maxRequestsPerMinute / 6 in any 10-second window, even with budget to spare', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { maxRequestsPerMinute: 60, maxInFlight: 10 });
    const server = new WindowServer(clock, 1_000);
    const { grants } = await drive(clock, limiter, server, 35, () => 20, 60_000);
    for (const start of grants) {
      expect(grants.filter((t) => t >= start && t < start + 10_000).length).toBeLessThanOrEqual(10);
    }
    // Paced at about one per second rather than ten at once.
    expect(grants.filter((t) => t < T0 + 1_000).length).toBeLessThanOrEqual(4);
  });

  it('counts the cap over the window plus a margin, so sends delayed by up to the margin still fit', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { maxRequestsPerMinute: 60, maxInFlight: 10, capMarginMs: 400 });
    const server = new WindowServer(clock, 1_000);
    const { grants } = await drive(clock, limiter, server, 35, () => 20, 60_000);
    for (const start of grants) {
      expect(grants.filter((t) => t >= start && t < start + 10_400).length).toBeLessThanOrEqual(10);
    }
    // The capped rate is 10 per 10.4 s, not much less: 35 requests take about 35 s.
    expect(Math.max(...grants) - T0).toBeLessThan(38_000);
  });

  it('rejects a cap below one request per window', () => {
    expect(() => limiterWith(new FakeClock(), { maxRequestsPerMinute: 5 })).toThrow(ConfigurationError);
  });

  it.each([
    ['a reset 5 s ahead', 5_000, 5_000],
    ['a reset far in the future (clamped to 11 s)', 100_000, 11_000],
    ['a reset in the past (clamped to 50 ms)', -30_000, 50],
  ])('after a 429 with %s, waits until the reset', async (_, resetInMs, expectedWait) => {
    const clock = new FakeClock(T0 + 1_000);
    const limiter = limiterWith(clock);
    await prime(
      limiter,
      rateHeaders({ limit: 100, remaining: 50, resetMs: T0 + 10_000, dateMs: clock.now() }),
    );
    const at = clock.now();
    limiter.onRateLimited((at + resetInMs) / 1000);
    const next = track(clock, limiter);
    await clock.advance(expectedWait - 1);
    expect(next.state.at).toBeUndefined();
    await clock.advance(1);
    expect(next.state.at).toBe(at + expectedWait);
    expect(limiter.stats().rateLimited).toBe(1);
  });

  it('does not cut a 429 wait short when another answer reports budget meanwhile', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { maxInFlight: 5 });
    await prime(limiter, rateHeaders({ limit: 100, remaining: 50, resetMs: T0 + 10_000, dateMs: T0 }));
    const late = await limiter.acquire(never());
    limiter.onRateLimited(T0 / 1000 + 3);
    const next = track(clock, limiter);
    await clock.advance(1_000);
    late.release(rateHeaders({ limit: 100, remaining: 80, resetMs: T0 + 20_000, dateMs: T0 + 1_000 }));
    await clock.advance(1_900);
    expect(next.state.at).toBeUndefined();
    await clock.advance(100);
    expect(next.state.at).toBe(T0 + 3_000);
  });

  it('waits longer for each 429 that follows right after a wait', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock);
    await prime(limiter, rateHeaders({ limit: 100, remaining: 50, resetMs: T0 + 10_000, dateMs: T0 }));
    const waits: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const permit = await limiter.acquire(never());
      const before = clock.now();
      permit.release(undefined);
      limiter.onRateLimited((before - 5_000) / 1000); // a reset in the past every time
      const next = track(clock, limiter);
      await clock.runUntil(() => next.state.permit !== undefined, 20_000, 5);
      waits.push((next.state.at ?? 0) - before);
      next.state.permit?.release(undefined);
    }
    expect(waits).toEqual([50, 100, 200, 400, 800]);
  });

  it('computes 429 waits in server time when the Date header shows clock skew', async () => {
    for (const skewMs of [3_600_000, -1_800_000]) {
      const clock = new FakeClock(T0);
      const limiter = limiterWith(clock);
      const serverNow = T0 + skewMs;
      await prime(
        limiter,
        rateHeaders({ limit: 100, remaining: 50, resetMs: serverNow + 10_000, dateMs: serverNow }),
      );
      expect(Math.abs(limiter.stats().clockOffsetMs - skewMs)).toBeLessThanOrEqual(1_000);
      limiter.onRateLimited(Math.ceil(serverNow / 1000) + 4);
      const next = track(clock, limiter);
      await clock.advance(2_500);
      expect(next.state.at).toBeUndefined();
      await clock.advance(2_000);
      expect(next.state.at).toBeGreaterThanOrEqual(T0 + 3_000);
      expect(next.state.at).toBeLessThanOrEqual(T0 + 4_500);
    }
  });

  it('paces in server time when the server clock is skewed', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { burst: 1 });
    const server = new WindowServer(clock, 20, { lagMs: -7_200_000 }); // server two hours ahead
    await prime(limiter, server.handle().headers);
    const { grants } = await drive(clock, limiter, server, 40, () => 30, 40_000);
    expect(server.refused).toBe(0);
    expect(grants[0]).toBeGreaterThan(T0 + 300);
  });

  it('learns a small skew the Date header cannot show and stops rolling over early', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { rolloverMarginMs: 250, initialConcurrency: 1, maxInFlight: 10 });
    // The server's clock runs 1.5 s behind ours: its Date is within the 2 s threshold.
    const server = new WindowServer(clock, 20, { lagMs: 1_500 });
    await drive(clock, limiter, server, 140, () => 60, 100_000);
    // A request or two are refused at the first window boundary while the limiter learns; none later.
    expect(server.refused).toBeLessThanOrEqual(2);
    const firstWindow = Math.min(...server.counts.keys());
    expect([...server.refusedInWindow.keys()].every((w) => w === firstWindow)).toBe(true);
    expect(server.maxPerWindow()).toBeLessThanOrEqual(20 + server.refused);
    expect(limiter.stats().clockOffsetMs).toBe(0);
  });

  it('rejects an aborted acquire with the abort reason and keeps serving the others', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { rolloverMarginMs: 0 });
    await prime(limiter, rateHeaders({ limit: 10, remaining: 0, resetMs: T0 + 5_000, dateMs: T0 }));
    const controller = new AbortController();
    const aborted = track(clock, limiter, controller.signal);
    const other = track(clock, limiter);
    await clock.advance(1_000);
    controller.abort();
    await aborted.promise;
    expect(aborted.state.error).toBeInstanceOf(Error);
    expect((aborted.state.error as Error).name).toBe('AbortError');
    expect(limiter.stats().queued).toBe(1);
    await clock.advanceTo(T0 + 5_000);
    expect(other.state.at).toBe(T0 + 5_000);
    expect(limiter.stats().queued).toBe(0);
  });

  it('adds one abort listener per signal however many requests wait on it, and rejects them all', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { rolloverMarginMs: 0 });
    await prime(limiter, rateHeaders({ limit: 10, remaining: 0, resetMs: T0 + 5_000, dateMs: T0 }));
    const controller = new AbortController();
    const waits = Array.from({ length: 50 }, () => track(clock, limiter, controller.signal));
    await flush();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await Promise.all(waits.map((w) => w.promise));
    expect(waits.every((w) => (w.state.error as Error | undefined)?.name === 'AbortError')).toBe(true);
    expect(limiter.stats().queued).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const limiter = limiterWith(new FakeClock());
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(limiter.acquire(controller.signal)).rejects.toThrow('stop');
  });

  it('ignores a second release of the same permit', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock);
    const permit = await limiter.acquire(never());
    permit.release(undefined);
    permit.release(undefined);
    expect(limiter.stats().inFlight).toBe(0);
  });

  it('reports stats', async () => {
    const clock = new FakeClock(T0);
    const limiter = limiterWith(clock, { burst: 1 });
    const server = new WindowServer(clock, 10);
    await prime(limiter, server.handle().headers);
    await drive(clock, limiter, server, 5, () => 10, 20_000);
    limiter.onRateLimited(undefined);
    await flush();
    const stats = limiter.stats();
    expect(stats.sent).toBe(6);
    expect(stats.throttledWaits).toBeGreaterThanOrEqual(5);
    expect(stats.throttledMs).toBeGreaterThan(4_000);
    expect(stats.rateLimited).toBe(1);
    expect(stats.limit).toBe(10);
    expect(stats.inFlight).toBe(0);
  });
});
