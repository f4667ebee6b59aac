import { randomUUID } from 'node:crypto';

interface OpenScroll {
  param: string;
  /** The last company index returned; -1 before the first page. */
  position: number;
  lastUsedMs: number;
}

export type ScrollLookup = { ok: true; scroll: OpenScroll } | { ok: false; reason: 'exists' | 'not_found' };

/**
 * Intercom's scroll rules for GET /companies/scroll: one open scroll per app; the same
 * `scroll_param` on every page; a page with empty `data` ends it and expires the param; a scroll idle
 * for the expiry period expires; a failed scroll (500) cannot be continued.
 */
export class ScrollRegistry {
  private readonly open = new Map<string, OpenScroll>();

  constructor(
    private readonly nowMs: () => number,
    public idleExpirySeconds: number,
  ) {}

  private live(app: string): OpenScroll | undefined {
    const scroll = this.open.get(app);
    if (scroll && this.nowMs() - scroll.lastUsedMs > this.idleExpirySeconds * 1000) {
      this.open.delete(app);
      return undefined;
    }
    return scroll;
  }

  start(app: string): ScrollLookup {
    if (this.live(app)) return { ok: false, reason: 'exists' };
    const scroll = { param: randomUUID(), position: -1, lastUsedMs: this.nowMs() };
    this.open.set(app, scroll);
    return { ok: true, scroll };
  }

  resume(app: string, param: string): ScrollLookup {
    const scroll = this.live(app);
    if (!scroll || scroll.param !== param) return { ok: false, reason: 'not_found' };
    scroll.lastUsedMs = this.nowMs();
    return { ok: true, scroll };
  }

  end(app: string): void {
    this.open.delete(app);
  }
}
