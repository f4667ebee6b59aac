import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api, truth } from '../support/simulator-client.js';
import { dayStart, expectError, ids, type Json, ok, walkGet, walkSearch } from './helpers.js';

const sorted = (list: string[]) => [...list].sort();

const filter = (field: string, operator: string, value: unknown) => ({ field, operator, value });

describe('search queries over HTTP', () => {
  let sim: RunningSimulator;
  let contacts: Json[];
  let conversations: Json[];

  beforeAll(async () => {
    sim = await startSimulator({
      scale: 'tiny',
      seed: 31,
      counts: { contacts: 300, conversations: 160, tickets: 90 },
    });
    contacts = await walkGet(sim, '/contacts', 'data', 150);
    conversations = await walkGet(sim, '/conversations', 'conversations', 150);
  });
  afterAll(async () => {
    await sim?.close();
  });

  const searchContacts = (query: unknown) =>
    walkSearch(sim, '/contacts/search', 'data', { query, pagination: { per_page: 150 } });
  const searchConversations = (query: unknown) =>
    walkSearch(sim, '/conversations/search', 'conversations', { query, pagination: { per_page: 150 } });

  const custom = (c: Json) => (c.custom_attributes ?? {}) as Json;

  it('an AND group needs every filter', async () => {
    const got = await searchContacts({
      operator: 'AND',
      value: [filter('role', '=', 'user'), filter('custom_attributes.seats', '>', 2500)],
    });
    const expected = contacts.filter((c) => c.role === 'user' && (custom(c).seats as number) > 2500);
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(ids(got))).toEqual(sorted(ids(expected)));
  });

  it('an OR group needs any filter', async () => {
    const got = await searchContacts({
      operator: 'OR',
      value: [filter('role', '=', 'lead'), filter('custom_attributes.tier', '=', 'enterprise')],
    });
    const expected = contacts.filter((c) => c.role === 'lead' || custom(c).tier === 'enterprise');
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(contacts.length);
    expect(sorted(ids(got))).toEqual(sorted(ids(expected)));
  });

  it('two levels of groups combine (AND of an OR)', async () => {
    const got = await searchContacts({
      operator: 'AND',
      value: [
        {
          operator: 'OR',
          value: [filter('role', '=', 'lead'), filter('custom_attributes.is_vip', '=', true)],
        },
        filter('custom_attributes.seats', '<', 2000),
      ],
    });
    const expected = contacts.filter(
      (c) => (c.role === 'lead' || custom(c).is_vip === true) && (custom(c).seats as number) < 2000,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(ids(got))).toEqual(sorted(ids(expected)));
  });

  it('conversation groups: OR of states, AND with open', async () => {
    const got = await searchConversations({
      operator: 'AND',
      value: [
        { operator: 'OR', value: [filter('state', '=', 'open'), filter('state', '=', 'snoozed')] },
        filter('open', '=', true),
      ],
    });
    const expected = conversations.filter(
      (c) => (c.state === 'open' || c.state === 'snoozed') && c.open === true,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(ids(got))).toEqual(sorted(ids(expected)));
  });

  it('three levels of groups answer 400', async () => {
    const query = {
      operator: 'AND',
      value: [
        {
          operator: 'OR',
          value: [{ operator: 'AND', value: [filter('role', '=', 'user')] }, filter('role', '=', 'lead')],
        },
      ],
    };
    for (const path of ['/contacts/search', '/conversations/search', '/tickets/search']) {
      const q =
        path === '/contacts/search' ? query : JSON.parse(JSON.stringify(query).replaceAll('role', 'state'));
      expectError(await api(sim, path, { method: 'POST', body: { query: q } }), 400, 'parameter_invalid');
    }
  });

  it('16 filters in a group answer 400; 15 are fine', async () => {
    const group = (n: number) => ({
      operator: 'OR',
      value: Array.from({ length: n }, (_, k) => filter('custom_attributes.seats', '=', k)),
    });
    expectError(
      await api(sim, '/contacts/search', { method: 'POST', body: { query: group(16) } }),
      400,
      'parameter_invalid',
    );
    ok(await api(sim, '/contacts/search', { method: 'POST', body: { query: group(15) } }));
    const nested = { operator: 'AND', value: [filter('role', '=', 'user'), group(16)] };
    expectError(
      await api(sim, '/contacts/search', { method: 'POST', body: { query: nested } }),
      400,
      'parameter_invalid',
    );
  });

  for (const [path, key, stream] of [
    ['/contacts/search', 'data', 'contacts'],
    ['/conversations/search', 'conversations', 'conversations'],
    ['/tickets/search', 'tickets', 'tickets'],
  ] as const) {
    it(`${path} sorts by updated_at ascending and descending across pages`, async () => {
      const expected = sorted(ids(await truth(sim, stream)));
      const walk = (order: string) =>
        walkSearch(sim, path, key, {
          query: filter('created_at', '>', 0),
          sort: { field: 'updated_at', order },
          pagination: { per_page: 23 },
        });
      const up = await walk('ascending');
      const down = await walk('descending');
      expect(sorted(ids(up))).toEqual(expected);
      expect(sorted(ids(down))).toEqual(expected);
      const upTimes = up.map((r) => r.updated_at as number);
      const downTimes = down.map((r) => r.updated_at as number);
      expect(upTimes).toEqual([...upTimes].sort((a, b) => a - b));
      expect(downTimes).toEqual([...downTimes].sort((a, b) => b - a));
      expect(upTimes[0]).toBeLessThan(upTimes.at(-1) as number);
    });
  }
});

describe('date comparisons', () => {
  // 23:30 UTC on 10 March 2026: thirty minutes before midnight.
  const midnight = Date.UTC(2026, 2, 11) / 1000;
  let sim: RunningSimulator;
  let t1: number;
  let t2: number;
  let t3: number;
  let sameDay: string[];
  let nextDay: string[];
  let conversationAtT1: string;
  let ticketAtT1: string;

  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', seed: 32, now: midnight - 1800, counts: { contacts: 120 } });
    const contactIds = ids(await truth(sim, 'contacts'));
    const conversationIds = ids(await truth(sim, 'conversations'));
    const ticketIds = ids(await truth(sim, 'tickets'));
    conversationAtT1 = conversationIds[3] as string;
    ticketAtT1 = ticketIds[2] as string;
    const mutate = async (body: Json) => ok(await api(sim, '/_simulator/mutate', { method: 'POST', body }));
    const m1 = await mutate({
      update: { contacts: contactIds.slice(0, 2), conversations: [conversationAtT1], tickets: [ticketAtT1] },
    });
    t1 = m1.now as number;
    const m2 = await mutate({ advance_seconds: 600, update: { contacts: contactIds.slice(2, 3) } });
    t2 = m2.now as number;
    const m3 = await mutate({ advance_seconds: 3600, update: { contacts: contactIds.slice(3, 5) } });
    t3 = m3.now as number;
    sameDay = contactIds.slice(0, 3);
    nextDay = contactIds.slice(3, 5);
  });
  afterAll(async () => {
    await sim?.close();
  });

  const contactSearch = (operator: string, value: number) =>
    walkSearch(sim, '/contacts/search', 'data', {
      query: filter('updated_at', operator, value),
      pagination: { per_page: 150 },
    });

  it('the case spans midnight', () => {
    expect(dayStart(t1)).toBe(dayStart(t2));
    expect(t2).toBeGreaterThan(t1);
    expect(dayStart(t3)).toBe(midnight);
    expect(dayStart(t2)).toBe(midnight - 86_400);
  });

  it('contacts: updated_at > t skips the rest of t’s day', async () => {
    const got = await contactSearch('>', t1);
    // A naive comparison would also return the contact updated at t2 (> t1, same day).
    expect(sorted(ids(got))).toEqual(sorted(nextDay));
    expect(ids(got)).not.toContain(sameDay[2]);
    const fromSecondUpdate = await contactSearch('>', t2);
    expect(sorted(ids(fromSecondUpdate))).toEqual(sorted(nextDay));
  });

  it('contacts: updated_at = t matches the whole day', async () => {
    const got = await contactSearch('=', t2);
    expect(sorted(ids(got))).toEqual(sorted(sameDay));
  });

  it('contacts: updated_at < t ends before t’s day', async () => {
    const got = ids(await contactSearch('<', t3));
    for (const id of [...sameDay]) expect(got).toContain(id);
    for (const id of nextDay) expect(got).not.toContain(id);
    const beforeDay = ids(await contactSearch('<', t2));
    for (const id of sameDay) expect(beforeDay).not.toContain(id);
  });

  it('contacts: date fields refuse >= and <=', async () => {
    for (const operator of ['>=', '<=']) {
      const res = await api(sim, '/contacts/search', {
        method: 'POST',
        body: { query: filter('updated_at', operator, t1) },
      });
      expectError(res, 400, 'parameter_invalid');
    }
  });

  it('conversations: > behaves as >= and < as <=', async () => {
    const gt = await walkSearch(sim, '/conversations/search', 'conversations', {
      query: filter('updated_at', '>', t1),
      pagination: { per_page: 150 },
    });
    expect(ids(gt)).toEqual([conversationAtT1]);
    const lt = await walkSearch(sim, '/conversations/search', 'conversations', {
      query: filter('updated_at', '<', t1),
      pagination: { per_page: 150 },
    });
    expect(ids(lt)).toContain(conversationAtT1);
    expect(lt.length).toBe((await truth(sim, 'conversations')).length);
    const after = await walkSearch(sim, '/conversations/search', 'conversations', {
      query: filter('updated_at', '>', t1 + 1),
      pagination: { per_page: 150 },
    });
    expect(after).toEqual([]);
  });

  it('tickets: > behaves as >= and < as <=', async () => {
    const gt = await walkSearch(sim, '/tickets/search', 'tickets', {
      query: filter('updated_at', '>', t1),
      pagination: { per_page: 150 },
    });
    expect(ids(gt)).toEqual([ticketAtT1]);
    const lt = await walkSearch(sim, '/tickets/search', 'tickets', {
      query: filter('updated_at', '<', t1),
      pagination: { per_page: 150 },
    });
    expect(ids(lt)).toContain(ticketAtT1);
    const after = await walkSearch(sim, '/tickets/search', 'tickets', {
      query: filter('updated_at', '>', t1 + 1),
      pagination: { per_page: 150 },
    });
    expect(after).toEqual([]);
  });
});
