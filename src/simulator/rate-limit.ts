import type { VirtualClock } from './clock.js';

export interface RateDecision {
  allowed: boolean;
  /** The budget of the current window (`X-RateLimit-Limit`). */
  limit: number;
  /** What is left of it after this request (`X-RateLimit-Remaining`). */
  remaining: number;
  /** Unix seconds when the window resets (`X-RateLimit-Reset`). */
  reset: number;
}

const WINDOW_MS = 10_000;

/**
 * Intercom's limiter: the per-minute budget is enforced per 10-second window, a sixth each
 * (1,000/min → windows of 166 or 167: the remainder is spread over the minute's six windows).
 */
export class WindowRateLimiter {
  private readonly used = new Map<string, { window: number; used: number }>();

  constructor(
    private readonly clock: VirtualClock,
    public perMinute: number,
  ) {}

  private budget(window: number): number {
    const base = Math.floor(this.perMinute / 6);
    return base + (window % 6 < this.perMinute % 6 ? 1 : 0);
  }

  /** Count a request of `app` and say whether it may be served. */
  take(app: string): RateDecision {
    const window = Math.floor(this.clock.nowMs() / WINDOW_MS);
    let slot = this.used.get(app);
    if (!slot || slot.window !== window) {
      slot = { window, used: 0 };
      this.used.set(app, slot);
    }
    const limit = this.budget(window);
    const reset = ((window + 1) * WINDOW_MS) / 1000;
    if (slot.used >= limit) return { allowed: false, limit, remaining: 0, reset };
    slot.used++;
    return { allowed: true, limit, remaining: limit - slot.used, reset };
  }

  /** Spend the rest of the current window (a 429 storm). */
  exhaust(app: string): RateDecision {
    const decision = this.take(app);
    const slot = this.used.get(app);
    if (slot) slot.used = decision.limit;
    return { ...decision, allowed: false, remaining: 0 };
  }
}
