/**
 * The simulator's clock. It runs at real speed from a chosen start and can be moved forward
 * (`advance`) so tests can cross midnight or let hours pass without waiting. Every timestamp the
 * simulator writes, the `Date` header and `X-RateLimit-Reset` all come from it.
 */
export class VirtualClock {
  private offsetMs: number;

  constructor(
    startSeconds: number | undefined,
    private readonly realNowMs: () => number = Date.now,
  ) {
    this.offsetMs = startSeconds === undefined ? 0 : startSeconds * 1000 - realNowMs();
  }

  nowMs(): number {
    return this.realNowMs() + this.offsetMs;
  }

  /** Unix seconds. */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
