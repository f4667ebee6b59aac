import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api } from '../support/simulator-client.js';
import { expectError, type Json, ok } from './helpers.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 3 });
});
afterAll(async () => {
  await sim?.close();
});

const noRateLimitHeaders = (headers: Headers) => {
  for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
    expect(headers.get(name), name).toBeNull();
};

describe('authentication', () => {
  it('a wrong token answers 401 unauthorized without rate-limit headers', async () => {
    const res = await api(sim, '/contacts', { token: 'not-the-token' });
    expectError(res, 401, 'unauthorized');
    noRateLimitHeaders(res.headers);
  });

  it('a missing Authorization header answers 401 unauthorized without rate-limit headers', async () => {
    const res = await api(sim, '/conversations', { token: null });
    expectError(res, 401, 'unauthorized');
    noRateLimitHeaders(res.headers);
  });

  it('a non-Bearer scheme is refused', async () => {
    const res = await api(sim, '/me', { token: null, headers: { Authorization: `Basic ${sim.token}` } });
    expectError(res, 401, 'unauthorized');
  });

  it('the right token is served and carries rate-limit headers', async () => {
    const res = await api(sim, '/me');
    ok(res);
    expect(res.headers.get('x-ratelimit-limit')).not.toBeNull();
    expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(res.headers.get('x-ratelimit-reset')).not.toBeNull();
  });

  it('every authenticated answer carries rate-limit headers, errors included', async () => {
    for (const res of [
      await api(sim, '/contacts', { version: '9.9' }),
      await api(sim, '/conversations/deleted', { version: '2.14' }),
      await api(sim, '/contacts/000000000000000000000000'),
      await api(sim, '/no/such/route'),
      await api(sim, '/contacts?per_page=500'),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('x-ratelimit-limit'), res.text).not.toBeNull();
      expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
      expect(res.headers.get('x-ratelimit-reset')).not.toBeNull();
    }
  });

  it('each error carries its own request_id', async () => {
    const a = (await api(sim, '/contacts', { token: 'x' })).body as Json;
    const b = (await api(sim, '/contacts', { token: 'x' })).body as Json;
    expect(a.request_id).not.toBe(b.request_id);
  });
});

describe('Intercom-Version', () => {
  it('an unknown version answers 400 intercom_version_invalid', async () => {
    expectError(await api(sim, '/contacts', { version: '9.9' }), 400, 'intercom_version_invalid');
    expectError(await api(sim, '/me', { version: 'banana' }), 400, 'intercom_version_invalid');
  });

  it('every documented version is accepted', async () => {
    for (const version of ['1.0', '1.4', '2.0', '2.11', '2.14', '2.16', 'Preview'])
      expect((await api(sim, '/admins', { version })).status, version).toBe(200);
  });

  it('GET /data_attributes?model=conversation: 422 parameter_invalid under 2.16, attributes under 2.14', async () => {
    expectError(
      await api(sim, '/data_attributes?model=conversation', { version: '2.16' }),
      422,
      'parameter_invalid',
    );
    const body = ok(await api(sim, '/data_attributes?model=conversation', { version: '2.14' }));
    const data = body.data as Json[];
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((a) => a.model === 'conversation')).toBe(true);
    // Contacts still work under 2.16.
    ok(await api(sim, '/data_attributes?model=contact', { version: '2.16' }));
  });

  it('GET /conversations/attributes exists from 2.16 only', async () => {
    expectError(
      await api(sim, '/conversations/attributes', { version: '2.14' }),
      400,
      'intercom_version_invalid',
    );
    const body = ok(await api(sim, '/conversations/attributes', { version: '2.16' }));
    expect((body.data as Json[]).length).toBeGreaterThan(0);
  });

  it('GET /conversations/deleted: 400 intercom_version_invalid under 2.14, a list under 2.16', async () => {
    expectError(
      await api(sim, '/conversations/deleted', { version: '2.14' }),
      400,
      'intercom_version_invalid',
    );
    const body = ok(await api(sim, '/conversations/deleted', { version: '2.16' }));
    expect(Array.isArray(body.conversations)).toBe(true);
  });

  it('contact search sort.order "asc": 400 invalid_sort_order under 2.16, accepted under 2.14', async () => {
    const query = {
      query: { field: 'updated_at', operator: '>', value: 0 },
      sort: { field: 'updated_at', order: 'asc' },
      pagination: { per_page: 150 },
    };
    expectError(
      await api(sim, '/contacts/search', { method: 'POST', body: query, version: '2.16' }),
      400,
      'invalid_sort_order',
    );
    const body = ok(await api(sim, '/contacts/search', { method: 'POST', body: query, version: '2.14' }));
    const updated = (body.data as Json[]).map((c) => c.updated_at as number);
    expect(updated.length).toBeGreaterThan(1);
    expect([...updated].sort((a, b) => a - b)).toEqual(updated);
    // The documented spelling is fine under 2.16.
    ok(
      await api(sim, '/contacts/search', {
        method: 'POST',
        body: { ...query, sort: { field: 'updated_at', order: 'ascending' } },
        version: '2.16',
      }),
    );
  });

  it('2.16 conversations carry priority none/low/medium/high/urgent; 2.14 priority/not_priority', async () => {
    const allowed = ['none', 'low', 'medium', 'high', 'urgent'];
    const modern = ok(await api(sim, '/conversations?per_page=150', { version: '2.16' }));
    const modernList = modern.conversations as Json[];
    expect(modernList.length).toBeGreaterThan(0);
    for (const c of modernList) expect(allowed).toContain(c.priority);
    const one = ok(await api(sim, `/conversations/${String(modernList[0]?.id)}`, { version: '2.16' }));
    expect(allowed).toContain(one.priority);
    const searched = ok(
      await api(sim, '/conversations/search', {
        method: 'POST',
        body: { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150 } },
        version: '2.16',
      }),
    );
    for (const c of searched.conversations as Json[]) expect(allowed).toContain(c.priority);

    const legacy = ok(await api(sim, '/conversations?per_page=150', { version: '2.14' }));
    for (const c of legacy.conversations as Json[])
      expect(['priority', 'not_priority']).toContain(c.priority);
  });

  it('2.11 tickets carry ticket_state as a string; 2.14 as an object', async () => {
    const body = { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150 } };
    const legacy = ok(await api(sim, '/tickets/search', { method: 'POST', body, version: '2.11' }));
    const tickets = legacy.tickets as Json[];
    expect(tickets.length).toBeGreaterThan(0);
    for (const t of tickets) {
      expect(typeof t.ticket_state).toBe('string');
      expect(['submitted', 'in_progress', 'waiting_on_customer', 'resolved']).toContain(t.ticket_state);
    }
    const current = ok(await api(sim, '/tickets/search', { method: 'POST', body, version: '2.14' }));
    for (const t of current.tickets as Json[]) expect(typeof t.ticket_state).toBe('object');
  });

  it('without Intercom-Version the default (2.14) applies', async () => {
    expect(sim.options.defaultVersion).toBe('2.14');
    ok(await api(sim, '/data_attributes?model=conversation'));
    expectError(await api(sim, '/conversations/deleted'), 400, 'intercom_version_invalid');
  });
});
