/** Counters the simulator keeps for tests and benchmarks (`GET /_simulator/stats`). */
export class SimulatorStats {
  startedAtMs = Date.now();
  total = 0;
  rateLimited = 0;
  /** `GET /contacts` → { '200': 12, '429': 1 } */
  byRoute: Record<string, Record<string, number>> = {};
  faults: Record<string, number> = {};
  /** Requests received per whole second since the stats were (re)started. */
  perSecond: number[] = [];

  record(route: string, status: number): void {
    this.total++;
    if (status === 429) this.rateLimited++;
    const statuses = this.byRoute[route] ?? {};
    statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    this.byRoute[route] = statuses;
    const second = Math.floor((Date.now() - this.startedAtMs) / 1000);
    while (this.perSecond.length <= second) this.perSecond.push(0);
    this.perSecond[second] = (this.perSecond[second] ?? 0) + 1;
  }

  fault(kind: string): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  reset(): void {
    this.startedAtMs = Date.now();
    this.total = 0;
    this.rateLimited = 0;
    this.byRoute = {};
    this.faults = {};
    this.perSecond = [];
  }

  toJSON(): Record<string, unknown> {
    const requests: Record<string, number> = {};
    for (const [route, statuses] of Object.entries(this.byRoute))
      requests[route] = Object.values(statuses).reduce((a, b) => a + b, 0);
    return {
      started_at: new Date(this.startedAtMs).toISOString(),
      total_requests: this.total,
      rate_limited: this.rateLimited,
      requests,
      by_route: this.byRoute,
      faults: this.faults,
      faults_injected: Object.values(this.faults).reduce((a, b) => a + b, 0),
      per_second: this.perSecond,
    };
  }
}
