import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { loadResponseValidator } from '../support/openapi.js';
import { api, truth } from '../support/simulator-client.js';
import { ids, type Json, ok } from './helpers.js';

/** The simulator's relations as link tables see them: truths, full lists, and a tag an update removes. */
describe('relations (link tables)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'small', seed: 5, counts: { contacts: 600, conversations: 40 } });
  });
  afterAll(async () => {
    await sim?.close();
  });

  const validator = loadResponseValidator('2.14');

  it('contact_tags truth lists every tag of a contact, as GET /contacts/{id}/tags does (valid per 2.14)', async () => {
    const tags = await truth(sim, 'contact_tags');
    const byContact = new Map<string, string[]>();
    for (const t of tags)
      byContact.set(String(t.contact_id), [...(byContact.get(String(t.contact_id)) ?? []), String(t.tag_id)]);
    const [contactId, expected] = [...byContact].sort((a, b) => b[1].length - a[1].length)[0] as [
      string,
      string[],
    ];
    expect(expected.length).toBeGreaterThan(10);
    const res = await api(sim, `/contacts/${contactId}/tags`);
    expect(validator.validate('get', '/contacts/{contact_id}/tags', 200, res.body)).toEqual([]);
    expect(ids(ok(res).data as Json[]).sort()).toEqual([...expected].sort());
    const companies = await api(sim, `/contacts/${contactId}/companies`);
    expect(validator.validate('get', '/contacts/{contact_id}/companies', 200, companies.body)).toEqual([]);
  });

  it('an update of a contact takes its first tag off, inline and in the full list, and moves updated_at', async () => {
    const tags = await truth(sim, 'contact_tags');
    const contactId = String(tags[0]?.contact_id);
    const before = ok(await api(sim, `/contacts/${contactId}`));
    const beforeTags = ids(ok(await api(sim, `/contacts/${contactId}/tags`)).data as Json[]);
    const res = await api(sim, '/_simulator/mutate', {
      method: 'POST',
      body: { update: { contacts: [contactId] }, advance_seconds: 60 },
    });
    expect(res.status).toBe(200);
    const after = ok(await api(sim, `/contacts/${contactId}`));
    expect(after.updated_at as number).toBeGreaterThan(before.updated_at as number);
    const afterTags = ids(ok(await api(sim, `/contacts/${contactId}/tags`)).data as Json[]);
    expect(afterTags).toEqual(beforeTags.slice(1));
    expect(ids((after.tags as Json).data as Json[])).toEqual(beforeTags.slice(1, 11));
    const truthAfter = (await truth(sim, 'contact_tags')).filter((t) => t.contact_id === contactId);
    expect(truthAfter.map((t) => String(t.tag_id))).toEqual(beforeTags.slice(1));
  });

  it('conversation, company and team relations have truths matching the records', async () => {
    const conversation = ok(await api(sim, '/conversations?per_page=1'));
    const first = (conversation.conversations as Json[])[0] as Json;
    const contacts = ((first.contacts as Json).contacts as Json[]).map((c) => c.id);
    const linked = (await truth(sim, 'conversation_contacts')).filter((l) => l.conversation_id === first.id);
    expect(linked.map((l) => l.contact_id)).toEqual(contacts);
    const teams = ok(await api(sim, '/teams')).teams as Json[];
    const admins = (await truth(sim, 'team_admins')).filter((l) => l.team_id === teams[0]?.id);
    expect(admins.map((l) => l.admin_id)).toEqual(((teams[0]?.admin_ids as number[]) ?? []).map(String));
    expect((await truth(sim, 'company_tags')).length).toBeGreaterThan(0);
    expect((await truth(sim, 'conversation_tags')).length).toBeGreaterThan(0);
  });
});
