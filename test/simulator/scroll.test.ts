import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api, truth } from '../support/simulator-client.js';
import { expectError, ids, type Json, ok } from './helpers.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 9, scrollPageSize: 4, scrollIdleExpirySeconds: 1 });
  // Some deleted companies, so "every live company" is not simply every generated one.
  sim.control.mutate({ delete: { companies: 3 } });
});
afterAll(async () => {
  await sim?.close();
});
afterEach(() => {
  sim.control.configure({ fault_rate: 0 });
});

const start = async () => ok(await api(sim, '/companies/scroll'));
const next = (param: string) => api(sim, `/companies/scroll?scroll_param=${encodeURIComponent(param)}`);

/** Reads a scroll to its end page; returns the companies and the page count. */
const finish = async (first: Json) => {
  const param = first.scroll_param as string;
  const companies = [...(first.data as Json[])];
  let pages = 1;
  for (let guard = 0; guard < 1000; guard++) {
    const page = ok(await next(param));
    pages++;
    expect(page.scroll_param).toBe(param);
    const data = page.data as Json[];
    if (data.length === 0) return { companies, pages };
    companies.push(...data);
  }
  throw new Error('the scroll never ended');
};

describe('GET /companies/scroll', () => {
  it('returns every live company exactly once under one scroll_param, then an empty page, then 404', async () => {
    const first = await start();
    const param = first.scroll_param as string;
    expect(typeof param).toBe('string');
    expect(param.length).toBeGreaterThan(0);
    expect((first.data as Json[]).length).toBe(4);
    const { companies, pages } = await finish(first);
    const live = ids(await truth(sim, 'companies'));
    expect(live.length).toBe(12);
    const got = ids(companies);
    expect(new Set(got).size).toBe(got.length);
    expect([...got].sort()).toEqual([...live].sort());
    expect(pages).toBe(4); // 4 + 4 + 4, then the empty page
    const after = await next(param);
    expectError(after, 404, 'not_found');
    // The ended scroll no longer blocks a new one.
    const again = await start();
    expect(again.scroll_param).not.toBe(param);
    await finish(again);
  });

  it('one open scroll per app: a second start answers 400 scroll_exists', async () => {
    const first = await start();
    expectError(await api(sim, '/companies/scroll'), 400, 'scroll_exists');
    // The open scroll is unaffected by the refused start.
    const second = ok(await next(first.scroll_param as string));
    expect((second.data as Json[]).length).toBe(4);
    await finish(second);
  });

  it('an idle scroll expires (404) and a new one can start', async () => {
    const first = await start();
    sim.control.clock.advance(2);
    expectError(await next(first.scroll_param as string), 404, 'not_found');
    const fresh = await start();
    expect(fresh.scroll_param).not.toBe(first.scroll_param);
    await finish(fresh);
  });

  it('a scroll in use does not expire: each page resets the idle timer', async () => {
    const first = await start();
    const param = first.scroll_param as string;
    sim.control.clock.advance(0.7);
    ok(await next(param));
    sim.control.clock.advance(0.7);
    const page = ok(await next(param));
    expect((page.data as Json[]).length).toBe(4);
    await finish(first);
  });

  it('expiry also works in real time', async () => {
    sim.control.configure({ scroll_idle_expiry_s: 0.3 });
    try {
      const first = await start();
      await new Promise((resolve) => setTimeout(resolve, 450));
      expectError(await next(first.scroll_param as string), 404, 'not_found');
    } finally {
      sim.control.configure({ scroll_idle_expiry_s: 1 });
    }
    await finish(await start());
  });

  it('a 500 during a scroll kills it: continuing answers 404 and restarting reads from the beginning', async () => {
    const first = await start();
    const param = first.scroll_param as string;
    sim.control.configure({ fault_rate: 1, fault_kinds: ['http_500'] });
    const failed = await next(param);
    sim.control.configure({ fault_rate: 0 });
    expect(failed.status).toBe(500);
    expectError(await next(param), 404, 'not_found');
    const restarted = await start();
    expect(ids(restarted.data)).toEqual(ids(first.data));
    const { companies } = await finish(restarted);
    expect(companies.length).toBe(12);
  });

  it('a scroll_expire fault ends the scroll (404)', async () => {
    const first = await start();
    sim.control.configure({ fault_rate: 1, fault_kinds: ['scroll_expire'] });
    const res = await next(first.scroll_param as string);
    sim.control.configure({ fault_rate: 0 });
    expectError(res, 404, 'not_found');
    await finish(await start());
  });

  it('a scroll_exists fault refuses a start with 400 scroll_exists', async () => {
    sim.control.configure({ fault_rate: 1, fault_kinds: ['scroll_exists'] });
    const res = await api(sim, '/companies/scroll');
    sim.control.configure({ fault_rate: 0 });
    expectError(res, 400, 'scroll_exists');
    await finish(await start());
  });

  it('an unknown scroll_param answers 404', async () => {
    expectError(await next('no-such-scroll'), 404, 'not_found');
  });
});

describe('GET /companies/scroll on an empty workspace', () => {
  let empty: RunningSimulator;
  beforeAll(async () => {
    empty = await startSimulator({ scale: 'tiny', seed: 9, counts: { companies: 0 } });
  });
  afterAll(async () => {
    await empty?.close();
  });

  it('still returns a scroll_param, with empty data', async () => {
    const body = ok(await api(empty, '/companies/scroll'));
    expect(typeof body.scroll_param).toBe('string');
    expect((body.scroll_param as string).length).toBeGreaterThan(0);
    expect(body.data).toEqual([]);
  });
});
