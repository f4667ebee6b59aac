import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type ApiResponse, api } from '../support/simulator-client.js';
import { expectError, type Json } from './helpers.js';

const started: RunningSimulator[] = [];
const start = async (rateLimitPerMinute: number) => {
  const sim = await startSimulator({ scale: 'tiny', seed: 41, rateLimitPerMinute });
  started.push(sim);
  return sim;
};
afterEach(async () => {
  await Promise.all(started.splice(0).map((sim) => sim.close()));
});

/** Moves the simulator clock to `offset` seconds after the next 10-second window boundary. */
const toWindowStart = (sim: RunningSimulator, offset = 0.05) => {
  const ms = sim.control.clock.nowMs();
  sim.control.clock.advance((10_000 - (ms % 10_000)) / 1000 + offset);
};

const header = (res: ApiResponse, name: string) => Number(res.headers.get(name));

describe('rate limit windows', () => {
  it('60/min gives 10 per 10-second window: Limit, a falling Remaining, a Reset on the boundary', async () => {
    const sim = await start(60);
    toWindowStart(sim);
    const responses: ApiResponse[] = [];
    for (let k = 0; k < 10; k++) responses.push(await api(sim, '/admins'));
    responses.forEach((res, k) => {
      expect(res.status).toBe(200);
      expect(header(res, 'x-ratelimit-limit')).toBe(10);
      expect(header(res, 'x-ratelimit-remaining')).toBe(9 - k);
    });
    const resets = new Set(responses.map((res) => header(res, 'x-ratelimit-reset')));
    expect(resets.size).toBe(1);
    const reset = [...resets][0] as number;
    expect(Number.isInteger(reset)).toBe(true);
    expect(reset % 10).toBe(0);
    const date = Date.parse(responses[0]?.headers.get('date') ?? '') / 1000;
    expect(Number.isFinite(date)).toBe(true);
    expect(reset).toBeGreaterThan(date);
    expect(reset - date).toBeLessThanOrEqual(10);

    const refused = await api(sim, '/admins');
    expectError(refused, 429, 'rate_limit_exceeded');
    expect((refused.body as Json).errors).toEqual([
      { code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 10 in 10_seconds' },
    ]);
    expect(header(refused, 'x-ratelimit-remaining')).toBe(0);
    expect(header(refused, 'x-ratelimit-reset')).toBe(reset);
    // Every route shares the app's budget.
    expectError(await api(sim, '/contacts'), 429, 'rate_limit_exceeded');
  });

  it('the next window has a fresh budget', async () => {
    const sim = await start(60);
    toWindowStart(sim);
    for (let k = 0; k < 10; k++) expect((await api(sim, '/tags')).status).toBe(200);
    expect((await api(sim, '/tags')).status).toBe(429);
    const before = header(await api(sim, '/tags'), 'x-ratelimit-reset');
    sim.control.clock.advance(10);
    const res = await api(sim, '/tags');
    expect(res.status).toBe(200);
    expect(header(res, 'x-ratelimit-remaining')).toBe(9);
    expect(header(res, 'x-ratelimit-reset')).toBe(before + 10);
  });

  it('control routes and unauthenticated requests do not spend the budget', async () => {
    const sim = await start(60);
    toWindowStart(sim);
    for (let k = 0; k < 5; k++) {
      await api(sim, '/_simulator/stats');
      await api(sim, '/admins', { token: 'wrong' });
    }
    const res = await api(sim, '/admins');
    expect(header(res, 'x-ratelimit-remaining')).toBe(9);
  });

  it('1000/min gives windows of 166 and 167 that add up to 1000 a minute', async () => {
    const sim = await start(1000);
    toWindowStart(sim);
    const limits: number[] = [];
    for (let w = 0; w < 6; w++) {
      const res = await api(sim, '/admins');
      limits.push(header(res, 'x-ratelimit-limit'));
      expect(header(res, 'x-ratelimit-remaining')).toBe(limits[w] - 1);
      sim.control.clock.advance(10);
    }
    expect(new Set(limits)).toEqual(new Set([166, 167]));
    expect(limits.reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('a 167 window refuses the 168th request', async () => {
    const sim = await start(1000);
    toWindowStart(sim);
    // Find a window of 167.
    for (let w = 0; w < 6 && header(await api(sim, '/admins'), 'x-ratelimit-limit') !== 167; w++)
      sim.control.clock.advance(10);
    const used = await api(sim, '/admins');
    expect(header(used, 'x-ratelimit-limit')).toBe(167);
    const remaining = header(used, 'x-ratelimit-remaining');
    const burst = await Promise.all(Array.from({ length: remaining }, () => api(sim, '/admins')));
    expect(burst.every((res) => res.status === 200)).toBe(true);
    const refused = await api(sim, '/admins');
    expectError(refused, 429, 'rate_limit_exceeded');
    expect((refused.body as Json).errors).toEqual([
      { code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 167 in 10_seconds' },
    ]);
  });

  it('POST /_simulator/config changes the limit while running', async () => {
    const sim = await start(60);
    toWindowStart(sim);
    const res = await api(sim, '/_simulator/config', {
      method: 'POST',
      body: { rate_limit_per_minute: 120 },
    });
    expect(res.status).toBe(200);
    const next = await api(sim, '/admins');
    expect(header(next, 'x-ratelimit-limit')).toBe(20);
  });
});
