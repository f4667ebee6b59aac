import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api, truth } from '../support/simulator-client.js';
import { ids, type Json, ok, walkGet } from './helpers.js';

describe('conversation parts', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      scale: 'tiny',
      seed: 21,
      counts: { hugeConversations: 1, conversations: 5 },
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  const partsByConversation = async () => {
    const byConversation = new Map<string, Json[]>();
    for (const line of await truth(sim, 'conversation_parts')) {
      const id = String(line.conversation_id);
      byConversation.set(id, [...(byConversation.get(id) ?? []), line]);
    }
    return byConversation;
  };

  const hugeId = async () => {
    const byConversation = await partsByConversation();
    const huge = [...byConversation.entries()].filter(([, parts]) => parts.length > 500);
    expect(huge.length).toBe(1);
    return huge[0]?.[0] as string;
  };

  it('GET /conversations/{id} returns only the 500 most recent parts; statistics has the full count', async () => {
    const id = await hugeId();
    const all = (await partsByConversation()).get(id) as Json[];
    const body = ok(await api(sim, `/conversations/${id}`));
    const list = body.conversation_parts as Json;
    expect(list.type).toBe('conversation_part.list');
    const parts = list.conversation_parts as Json[];
    expect(parts.length).toBe(500);
    expect(ids(parts)).toEqual(ids(all.slice(-500)));
    const times = parts.map((p) => p.created_at as number);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect((body.statistics as Json).count_conversation_parts).toBe(all.length);

    const hidden = all.filter((p) => p.beyond_api_cap === true);
    expect(hidden.length).toBe(all.length - 500);
    expect(ids(hidden)).toEqual(ids(all.slice(0, all.length - 500)));
  });

  it('small conversations return all their parts, none beyond the cap', async () => {
    const byConversation = await partsByConversation();
    const conversations = await truth(sim, 'conversations');
    let checked = 0;
    for (const { id } of conversations) {
      const all = byConversation.get(String(id)) ?? [];
      if (all.length > 500) continue;
      const body = ok(await api(sim, `/conversations/${String(id)}`));
      const parts = (body.conversation_parts as Json).conversation_parts as Json[];
      expect(ids(parts)).toEqual(ids(all));
      expect(all.some((p) => p.beyond_api_cap === true)).toBe(false);
      expect((body.statistics as Json).count_conversation_parts).toBe(all.length);
      for (const p of parts) expect(p.type).toBe('conversation_part');
      checked++;
    }
    expect(checked).toBe(4);
  });

  it('a new part enters the window and pushes the oldest visible part beyond the cap', async () => {
    const id = await hugeId();
    const before = (await partsByConversation()).get(id) as Json[];
    const result = sim.control.mutate({ update: { conversations: [id] } });
    expect(result.updated.conversations).toEqual([id]);
    const after = (await partsByConversation()).get(id) as Json[];
    expect(after.length).toBe(before.length + 1);
    const body = ok(await api(sim, `/conversations/${id}`));
    const parts = (body.conversation_parts as Json).conversation_parts as Json[];
    expect(parts.length).toBe(500);
    expect(ids(parts)).toEqual(ids(after.slice(-500)));
    expect(parts.at(-1)?.created_at).toBe(result.now);
    expect(body.updated_at).toBe(result.now);
    expect((body.statistics as Json).count_conversation_parts).toBe(after.length);
    expect(after.filter((p) => p.beyond_api_cap === true).length).toBe(after.length - 500);
  });

  it('listed and searched conversations carry no parts', async () => {
    const listed = ok(await api(sim, '/conversations?per_page=150'));
    const conversations = listed.conversations as Json[];
    expect(conversations.length).toBe(5);
    for (const c of conversations) expect(c).not.toHaveProperty('conversation_parts');
    const searched = ok(
      await api(sim, '/conversations/search', {
        method: 'POST',
        body: { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150 } },
      }),
    );
    expect((searched.conversations as Json[]).length).toBe(5);
    for (const c of searched.conversations as Json[]) expect(c).not.toHaveProperty('conversation_parts');
  });
});

describe('nested lists on contacts', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      scale: 'tiny',
      seed: 22,
      counts: { contacts: 2000, tags: 40, companies: 60 },
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  /** Contact ids whose `count(i)` passes `test` (found in-process, checked over HTTP). */
  const contactsWhere = (count: (i: number) => number, test: (n: number) => boolean, max = 3) => {
    const ws = sim.control.workspace;
    const out: Array<{ id: string; n: number }> = [];
    for (let i = 0; i < ws.contacts.size && out.length < max; i++) {
      const n = count(i);
      if (test(n)) out.push({ id: ws.contactIds.id(i), n });
    }
    return out;
  };

  const checkTruncated = (list: Json, n: number, url: string) => {
    expect(list.type).toBe('list');
    expect((list.data as Json[]).length).toBe(10);
    expect(list.has_more).toBe(true);
    expect(list.total_count).toBe(n);
    expect(list.url).toBe(url);
  };

  it('tags: 10 inline with has_more, the real total_count and the full list at GET /contacts/{id}/tags', async () => {
    const ws = sim.control.workspace;
    const many = contactsWhere(
      (i) => ws.contactTagIndexes(i).length,
      (n) => n > 10,
    );
    expect(many.length).toBeGreaterThan(0);
    for (const { id, n } of many) {
      const contact = ok(await api(sim, `/contacts/${id}`));
      const tags = contact.tags as Json;
      checkTruncated(tags, n, `/contacts/${id}/tags`);
      const full = ok(await api(sim, `/contacts/${id}/tags`));
      const data = full.data as Json[];
      expect(data.length).toBe(n);
      expect(new Set(ids(data)).size).toBe(n);
      expect(ids(data).slice(0, 10)).toEqual(ids(tags.data));
    }
  });

  it('companies: 10 inline with has_more, the full list at GET /contacts/{id}/companies', async () => {
    const ws = sim.control.workspace;
    const many = contactsWhere(
      (i) => ws.contactCompanyIndexes(i).length,
      (n) => n > 10,
    );
    expect(many.length).toBeGreaterThan(0);
    for (const { id, n } of many) {
      const contact = ok(await api(sim, `/contacts/${id}`));
      const companies = contact.companies as Json;
      checkTruncated(companies, n, `/contacts/${id}/companies`);
      const full = ok(await api(sim, `/contacts/${id}/companies`));
      const data = full.data as Json[];
      expect(full.total_count).toBe(n);
      expect(data.length).toBe(n);
      expect(ids(data).slice(0, 10)).toEqual(ids(companies.data));
      for (const c of data) expect(c.type).toBe('company');
    }
  });

  it('notes: 10 inline with has_more and the real total_count', async () => {
    const ws = sim.control.workspace;
    const many = contactsWhere(
      (i) => ws.contactNoteCount(i),
      (n) => n > 10,
    );
    expect(many.length).toBeGreaterThan(0);
    for (const { id, n } of many) {
      const contact = ok(await api(sim, `/contacts/${id}`));
      checkTruncated(contact.notes as Json, n, `/contacts/${id}/notes`);
    }
  });

  it('short lists are complete with has_more false, in GET, list and search alike', async () => {
    const ws = sim.control.workspace;
    const few = contactsWhere(
      (i) => ws.contactTagIndexes(i).length,
      (n) => n > 0 && n <= 10,
      1,
    );
    const { id, n } = few[0] as { id: string; n: number };
    const contact = ok(await api(sim, `/contacts/${id}`));
    const tags = contact.tags as Json;
    expect((tags.data as Json[]).length).toBe(n);
    expect(tags.has_more).toBe(false);
    expect(tags.total_count).toBe(n);
    const searched = ok(
      await api(sim, '/contacts/search', {
        method: 'POST',
        body: { query: { field: 'id', operator: '=', value: id } },
      }),
    );
    expect((searched.data as Json[])[0]?.tags).toEqual(tags);
  });

  it('listed contacts keep their nested lists within 10', async () => {
    const contacts = await walkGet(sim, '/contacts', 'data', 150, undefined, 4);
    expect(contacts.length).toBe(600);
    let truncated = 0;
    for (const c of contacts) {
      for (const key of ['tags', 'companies', 'notes']) {
        const list = c[key] as Json;
        const data = list.data as Json[];
        expect(data.length).toBeLessThanOrEqual(10);
        expect(list.has_more).toBe((list.total_count as number) > 10);
        if (list.has_more) truncated++;
        else expect(data.length).toBe(list.total_count);
      }
    }
    expect(truncated).toBeGreaterThan(0);
  });
});
