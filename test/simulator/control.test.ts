import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api, truth } from '../support/simulator-client.js';
import { expectError, ids, type Json, ok } from './helpers.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 61 });
});
afterAll(async () => {
  await sim?.close();
});

const mutate = async (body: unknown) => ok(await api(sim, '/_simulator/mutate', { method: 'POST', body }));
const byId = (lines: Json[]) => new Map(lines.map((l) => [String(l.id), l]));

describe('POST /_simulator/mutate', () => {
  it('creates contacts, companies, conversations and tickets, served by the API and in truth', async () => {
    const result = await mutate({ create: { contacts: 2, companies: 2, conversations: 1, tickets: 1 } });
    const created = result.created as Record<string, string[]>;
    const now = result.now as number;
    expect(created.contacts).toHaveLength(2);
    expect(created.companies).toHaveLength(2);
    expect(created.conversations).toHaveLength(1);
    expect(created.tickets).toHaveLength(1);

    for (const id of created.contacts ?? []) {
      const contact = ok(await api(sim, `/contacts/${id}`));
      expect(contact.created_at).toBe(now);
      expect(contact.updated_at).toBe(now);
    }
    for (const id of created.companies ?? []) ok(await api(sim, `/companies/${id}`));
    const conversation = ok(await api(sim, `/conversations/${created.conversations?.[0]}`));
    expect(conversation.created_at).toBe(now);
    const tickets = ok(
      await api(sim, '/tickets/search', {
        method: 'POST',
        body: { query: { field: 'id', operator: '=', value: created.tickets?.[0] } },
      }),
    );
    expect(ids(tickets.tickets)).toEqual(created.tickets);

    for (const [stream, list] of Object.entries(created)) {
      const lines = byId(await truth(sim, stream));
      for (const id of list) expect(lines.get(id)?.updated_at, `${stream} ${id}`).toBe(now);
    }
  });

  it('updates bump updated_at to the simulator’s now', async () => {
    sim.control.clock.advance(3600);
    const [contact] = ids(await truth(sim, 'contacts'));
    const [company] = ids(await truth(sim, 'companies'));
    const [ticket] = ids(await truth(sim, 'tickets'));
    const [conversation] = ids(await truth(sim, 'conversations'));
    const result = await mutate({
      update: { contacts: [contact], companies: [company], tickets: [ticket], conversations: [conversation] },
    });
    const now = result.now as number;
    expect(Math.abs(now - sim.control.clock.now())).toBeLessThanOrEqual(1);
    expect(result.updated).toEqual({
      contacts: [contact],
      companies: [company],
      tickets: [ticket],
      conversations: [conversation],
    });
    expect(ok(await api(sim, `/contacts/${contact}`)).updated_at).toBe(now);
    expect(ok(await api(sim, `/companies/${company}`)).updated_at).toBe(now);
    expect(ok(await api(sim, `/conversations/${conversation}`)).updated_at).toBe(now);
    const found = ok(
      await api(sim, '/tickets/search', {
        method: 'POST',
        body: { query: { field: 'id', operator: '=', value: ticket } },
      }),
    );
    expect((found.tickets as Json[])[0]?.updated_at).toBe(now);
    for (const [stream, id] of [
      ['contacts', contact],
      ['companies', company],
      ['tickets', ticket],
      ['conversations', conversation],
    ] as const)
      expect(byId(await truth(sim, stream)).get(id as string)?.updated_at, stream).toBe(now);
  });

  it('updates by count pick that many live records', async () => {
    const result = await mutate({ update: { contacts: 3 } });
    const updated = (result.updated as Record<string, string[]>).contacts ?? [];
    expect(new Set(updated).size).toBe(3);
    const lines = byId(await truth(sim, 'contacts'));
    for (const id of updated) expect(lines.get(id)?.updated_at).toBe(result.now);
  });

  it('create conversation_parts adds parts and bumps their conversations', async () => {
    sim.control.clock.advance(60);
    const before = await truth(sim, 'conversation_parts');
    const result = await mutate({ create: { conversation_parts: 3 } });
    const now = result.now as number;
    const partIds = (result.created as Record<string, string[]>).conversation_parts ?? [];
    expect(partIds).toHaveLength(3);
    const after = await truth(sim, 'conversation_parts');
    expect(after.length).toBe(before.length + 3);
    const parts = byId(after);
    const conversations = byId(await truth(sim, 'conversations'));
    for (const id of partIds) {
      const line = parts.get(id) as Json;
      expect(line.updated_at).toBe(now);
      const conversationId = String(line.conversation_id);
      expect(conversations.get(conversationId)?.updated_at).toBe(now);
      const body = ok(await api(sim, `/conversations/${conversationId}`));
      expect(body.updated_at).toBe(now);
      const served = (body.conversation_parts as Json).conversation_parts as Json[];
      expect(served.at(-1)?.id).toBe(id);
      expect(served.at(-1)?.created_at).toBe(now);
    }
  });

  it('deletes remove records from the API and truth; deleted conversations are listed (2.16)', async () => {
    const [contact] = ids(await truth(sim, 'contacts'));
    const [company] = ids(await truth(sim, 'companies'));
    const [ticket] = ids(await truth(sim, 'tickets'));
    const conversation = ids(await truth(sim, 'conversations'))[1] as string;
    const result = await mutate({
      delete: { contacts: [contact], companies: [company], tickets: [ticket], conversations: [conversation] },
    });
    expect(result.deleted).toEqual({
      contacts: [contact],
      companies: [company],
      tickets: [ticket],
      conversations: [conversation],
    });
    expectError(await api(sim, `/contacts/${contact}`), 404, 'not_found');
    expectError(await api(sim, `/companies/${company}`), 404, 'company_not_found');
    expectError(await api(sim, `/conversations/${conversation}`), 404, 'not_found');
    const tickets = ok(
      await api(sim, '/tickets/search', {
        method: 'POST',
        body: { query: { field: 'id', operator: '=', value: ticket } },
      }),
    );
    expect(tickets.tickets).toEqual([]);
    expect(ids(await truth(sim, 'contacts'))).not.toContain(contact);
    expect(ids(await truth(sim, 'companies'))).not.toContain(company);
    expect(ids(await truth(sim, 'tickets'))).not.toContain(ticket);
    expect(ids(await truth(sim, 'conversations'))).not.toContain(conversation);
    expect((await truth(sim, 'company_segments')).some((l) => l.company_id === company)).toBe(false);

    const deleted = ok(await api(sim, '/conversations/deleted?per_page=150', { version: '2.16' }));
    const entry = (deleted.conversations as Json[]).find((c) => c.id === conversation);
    expect(entry?.deleted_at).toBe(result.now);
    // Deleting again changes nothing.
    const again = await mutate({ delete: { conversations: [conversation] } });
    expect(again.deleted).toEqual({ conversations: [] });
  });

  it('advance_seconds moves the clock before the changes', async () => {
    const before = sim.control.clock.now();
    const result = await mutate({ advance_seconds: 7200, update: { contacts: 1 } });
    expect(result.now as number).toBeGreaterThanOrEqual(before + 7200);
    expect(result.now as number).toBeLessThanOrEqual(before + 7202);
  });

  it('truth lines: company_segments carry company_id; attribute lines carry model and name', async () => {
    const segments = new Set(ids(await truth(sim, 'segments')));
    const companies = new Set(ids(await truth(sim, 'companies')));
    const lines = await truth(sim, 'company_segments');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(segments.has(String(line.id))).toBe(true);
      expect(companies.has(String(line.company_id))).toBe(true);
    }
    for (const model of ['contact', 'company', 'conversation']) {
      const attributes = await truth(sim, `${model}_attributes`);
      expect(attributes.length).toBeGreaterThan(0);
      for (const line of attributes) {
        expect(line.model).toBe(model);
        expect(typeof line.name).toBe('string');
      }
    }
  });

  it('an unknown truth stream answers 404', async () => {
    expectError(await api(sim, '/_simulator/truth/widgets'), 404, 'not_found');
  });

  it('invalid mutation bodies answer 400', async () => {
    const bad: unknown[] = [
      [],
      'update',
      { frobnicate: {} },
      { create: [] },
      { create: { contacts: -1 } },
      { create: { contacts: 1.5 } },
      { create: { contacts: ['abc'] } },
      { create: { widgets: 1 } },
      { update: { widgets: 1 } },
      { update: { contacts: [1, 2] } },
      { delete: { widgets: 1 } },
      { advance_seconds: 'soon' },
      { advance_seconds: -5 },
      // Valid parts next to an invalid one: nothing may be applied.
      { create: { contacts: 1, widgets: 1 } },
      { update: { contacts: 1 }, delete: { widgets: 1 } },
      { delete: { contacts: 1 }, advance_seconds: -5 },
      { create: { toString: 1 } },
    ];
    const before = await truth(sim, 'contacts');
    const clockBefore = sim.control.clock.now();
    for (const body of bad) {
      const res = await api(sim, '/_simulator/mutate', { method: 'POST', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as Json).type).toBe('error.list');
    }
    const notJson = await fetch(`${sim.url}/_simulator/mutate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.token}`, 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(notJson.status).toBe(400);
    expect(await truth(sim, 'contacts')).toEqual(before);
    expect(sim.control.clock.now() - clockBefore).toBeLessThanOrEqual(1);
  });

  it('control routes need the token', async () => {
    for (const [method, path, body] of [
      ['POST', '/_simulator/mutate', { create: { contacts: 1 } }],
      ['GET', '/_simulator/truth/contacts', undefined],
      ['GET', '/_simulator/stats', undefined],
      ['POST', '/_simulator/stats/reset', undefined],
      ['GET', '/_simulator/config', undefined],
      ['POST', '/_simulator/config', { latency_ms: 5 }],
    ] as const) {
      const res = await api(sim, path, { method, body, token: 'wrong' });
      expectError(res, 401, 'unauthorized');
      const missing = await api(sim, path, { method, body, token: null });
      expectError(missing, 401, 'unauthorized');
    }
    expect(sim.control.settings.latencyMs).toBe(0);
  });
});

describe('POST /_simulator/config', () => {
  it('changes latency, rate limit and faults while running', async () => {
    const body = ok(
      await api(sim, '/_simulator/config', {
        method: 'POST',
        body: { latency_ms: 150, rate_limit_per_minute: 600, fault_rate: 0, fault_kinds: ['http_503'] },
      }),
    );
    expect(body).toMatchObject({ latency_ms: 150, rate_limit_per_minute: 600, fault_kinds: ['http_503'] });
    expect(ok(await api(sim, '/_simulator/config'))).toMatchObject({ latency_ms: 150 });
    const t0 = performance.now();
    const res = await api(sim, '/admins');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(149);
    expect(res.headers.get('x-ratelimit-limit')).toBe('100');

    ok(await api(sim, '/_simulator/config', { method: 'POST', body: { latency_ms: 0, fault_rate: 1 } }));
    expect((await api(sim, '/admins')).status).toBe(503);
    ok(
      await api(sim, '/_simulator/config', {
        method: 'POST',
        body: { fault_rate: 0, rate_limit_per_minute: 10_000 },
      }),
    );
    expect((await api(sim, '/admins')).status).toBe(200);
  });

  it('invalid config answers 400 and changes nothing', async () => {
    const before = ok(await api(sim, '/_simulator/config'));
    for (const body of [
      [],
      { latency_ms: -1 },
      { latency_ms: 'slow' },
      { fault_rate: 2 },
      { rate_limit_per_minute: 5 },
      { fault_kinds: ['meteor'] },
      { fault_kinds: 'http_500' },
      { warp_speed: 9 },
      { latency_ms: 10, fault_rate: 7 },
    ]) {
      const res = await api(sim, '/_simulator/config', { method: 'POST', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as Json).type).toBe('error.list');
    }
    expect(ok(await api(sim, '/_simulator/config'))).toEqual(before);
  });
});
