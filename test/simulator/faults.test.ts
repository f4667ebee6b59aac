import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultKind, type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api, truth } from '../support/simulator-client.js';
import { auth, expectError, ids, type Json, ok } from './helpers.js';

const timed = async <T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> => {
  const t0 = performance.now();
  const value = await run();
  return { ms: performance.now() - t0, value };
};

describe('latency', () => {
  it('latencyMs: 120 makes every request take at least 120 ms', async () => {
    const sim = await startSimulator({ scale: 'tiny', latencyMs: 120 });
    try {
      for (let k = 0; k < 3; k++) {
        const { ms, value } = await timed(() => api(sim, '/admins'));
        expect(value.status).toBe(200);
        expect(ms).toBeGreaterThanOrEqual(119);
      }
    } finally {
      await sim.close();
    }
  });

  it('jitter varies the latency within ± jitterMs', async () => {
    const sim = await startSimulator({ scale: 'tiny', latencyMs: 100, jitterMs: 60 });
    try {
      ok(await api(sim, '/admins')); // open a connection first
      const runs = await Promise.all(Array.from({ length: 20 }, () => timed(() => api(sim, '/tags'))));
      const times = runs.map((r) => r.ms);
      for (const r of runs) expect(r.value.status).toBe(200);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(39);
      // 100 + 60 at most, plus the time a loaded machine takes to answer.
      expect(Math.max(...times)).toBeLessThan(160 + 120);
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(15);
    } finally {
      await sim.close();
    }
  });
});

describe('faults', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', seed: 51 });
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(() => {
    sim.control.configure({ fault_rate: 0, slow_ms: 35_000 });
  });

  const only = (kind: FaultKind) => sim.control.configure({ fault_rate: 1, fault_kinds: [kind] });

  const serverErrorCodes: Record<number, string[]> = {
    500: ['server_error'],
    502: ['server_error'],
    503: ['service_unavailable'],
    504: ['request_timeout'],
  };

  it('http_500/502/503/504 answer that status with an Intercom error body or an HTML page', async () => {
    const forms = new Set<string>();
    for (const status of [500, 502, 503, 504]) {
      only(`http_${status}` as FaultKind);
      for (let k = 0; k < 6; k++) {
        const res = await api(sim, '/contacts');
        expect(res.status).toBe(status);
        const type = res.headers.get('content-type') ?? '';
        if (type.startsWith('application/json')) {
          forms.add('json');
          expectError(res, status, (serverErrorCodes[status] as string[])[0] as string);
        } else {
          forms.add('html');
          expect(type).toMatch(/^text\/html/);
          expect(res.text).toMatch(/<html/);
          expect(res.text).toContain(String(status));
        }
      }
    }
    expect(forms).toEqual(new Set(['json', 'html']));
  });

  it('options faultRate: 1, faultKinds: [http_502] fault every request from the start', async () => {
    const other = await startSimulator({ scale: 'tiny', faultRate: 1, faultKinds: ['http_502'] });
    try {
      for (let k = 0; k < 3; k++) expect((await api(other, '/admins')).status).toBe(502);
    } finally {
      await other.close();
    }
  });

  it('reset: the client sees the connection fail mid-body', async () => {
    only('reset');
    await expect(api(sim, '/contacts?per_page=50')).rejects.toThrow();
    sim.control.configure({ fault_rate: 0 });
    ok(await api(sim, '/contacts?per_page=5'));
  });

  it('truncated: a 200 whose body is not valid JSON', async () => {
    only('truncated');
    const res = await fetch(`${sim.url}/contacts?per_page=20`, { headers: auth(sim) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('timeout: the answer stalls for slow_ms, so a client with a shorter timeout gives up', async () => {
    sim.control.configure({ fault_rate: 1, fault_kinds: ['timeout'], slow_ms: 300 });
    const { ms, value } = await timed(() =>
      fetch(`${sim.url}/admins`, { headers: auth(sim), signal: AbortSignal.timeout(100) }).then(
        () => 'answered',
        (error: Error) => error.name,
      ),
    );
    expect(value).toBe('TimeoutError');
    expect(ms).toBeLessThan(290);
    // A patient client gets the answer after slow_ms.
    const patient = await timed(() => api(sim, '/admins'));
    expect(patient.value.status).toBe(200);
    expect(patient.ms).toBeGreaterThanOrEqual(295);
  });

  it('rate_limit: a 429 storm refuses the rest of the window', async () => {
    const ms = sim.control.clock.nowMs();
    sim.control.clock.advance((10_000 - (ms % 10_000)) / 1000 + 0.05);
    only('rate_limit');
    const res = await api(sim, '/admins');
    expectError(res, 429, 'rate_limit_exceeded');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    sim.control.configure({ fault_rate: 0 });
    expectError(await api(sim, '/admins'), 429, 'rate_limit_exceeded');
    sim.control.clock.advance(10);
    ok(await api(sim, '/admins'));
  });

  it('vanish: GET /conversations/{id} finds it deleted; it shows in /conversations/deleted and leaves truth', async () => {
    const id = ids(await truth(sim, 'conversations'))[4] as string;
    only('vanish');
    // Only GET /conversations/{id} can vanish: other routes are served.
    ok(await api(sim, '/conversations?per_page=5'));
    expectError(await api(sim, `/conversations/${id}`), 404, 'not_found');
    sim.control.configure({ fault_rate: 0 });
    expectError(await api(sim, `/conversations/${id}`), 404, 'not_found');
    const deleted = ok(await api(sim, '/conversations/deleted?per_page=150', { version: '2.16' }));
    const entry = (deleted.conversations as Json[]).find((c) => c.id === id);
    expect(entry).toBeDefined();
    expect(typeof entry?.deleted_at).toBe('number');
    expect(ids(await truth(sim, 'conversations'))).not.toContain(id);
    expect((await truth(sim, 'conversation_parts')).some((p) => p.conversation_id === id)).toBe(false);
  });

  it('GET /_simulator/stats counts faults by kind and requests by route and status', async () => {
    sim.control.resetStats();
    ok(await api(sim, '/contacts?per_page=2'));
    ok(await api(sim, '/contacts?per_page=2'));
    expect((await api(sim, '/contacts', { token: 'wrong' })).status).toBe(401);
    only('http_503');
    expect((await api(sim, '/admins')).status).toBe(503);
    expect((await api(sim, '/admins')).status).toBe(503);
    only('truncated');
    await api(sim, '/tags');
    sim.control.configure({ fault_rate: 0 });
    const stats = ok(await api(sim, '/_simulator/stats'));
    expect(stats.faults).toEqual({ http_503: 2, truncated: 1 });
    expect(stats.faults_injected).toBe(3);
    const byRoute = stats.by_route as Record<string, Record<string, number>>;
    expect(byRoute['GET /contacts']).toEqual({ '200': 2, '401': 1 });
    expect(byRoute['GET /admins']).toEqual({ '503': 2 });
    expect(byRoute['GET /tags']).toEqual({ '200': 1 });
    expect((stats.requests as Json)['GET /contacts']).toBe(3);
  });
});
