import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, SCALES, startSimulator } from '../../src/simulator/index.js';
import { api, truth } from '../support/simulator-client.js';
import { ids, type Json, ok, walkGet, walkSearch } from './helpers.js';

const DAY = 86_400;
const TWO_YEARS = 730 * DAY;

const everything = { query: { field: 'created_at', operator: '>', value: 0 }, pagination: { per_page: 150 } };

/** Every record the API serves for a workspace, read over HTTP. */
async function readWorkspace(sim: RunningSimulator) {
  const conversations = await walkGet(sim, '/conversations', 'conversations', 150);
  const full: Json[] = [];
  for (const c of conversations) full.push(ok(await api(sim, `/conversations/${String(c.id)}`)));
  const pagesOf = async (path: string, key = 'data') => {
    const out: Json[] = [];
    let url: string | null = `${sim.url}${path}`;
    while (url) {
      const body = ok(await api(sim, url));
      out.push(...(body[key] as Json[]));
      url = ((body.pages as Json).next as string | null) ?? null;
    }
    return out;
  };
  return {
    me: ok(await api(sim, '/me')),
    admins: ok(await api(sim, '/admins')).admins as Json[],
    teams: ok(await api(sim, '/teams')).teams as Json[],
    tags: ok(await api(sim, '/tags')).data as Json[],
    segments: ok(await api(sim, '/segments')).segments as Json[],
    ticketTypes: ok(await api(sim, '/ticket_types')).data as Json[],
    helpCenters: ok(await api(sim, '/help_center/help_centers')).data as Json[],
    newsItems: await pagesOf('/news/news_items?per_page=150'),
    attributes: {
      contact: ok(await api(sim, '/data_attributes?model=contact')).data as Json[],
      company: ok(await api(sim, '/data_attributes?model=company')).data as Json[],
      conversation: ok(await api(sim, '/data_attributes?model=conversation', { version: '2.14' }))
        .data as Json[],
    },
    contacts: await walkGet(sim, '/contacts', 'data', 150),
    companies: await pagesOf('/companies?per_page=60'),
    conversations: full,
    tickets: await walkSearch(sim, '/tickets/search', 'tickets', everything),
    articles: await pagesOf('/articles?per_page=150'),
    collections: await pagesOf('/help_center/collections?per_page=150'),
    activityLogs: await pagesOf('/admins/activity_logs?created_at_after=0&per_page=150', 'activity_logs'),
  };
}

const parts = (conversation: Json) => (conversation.conversation_parts as Json).conversation_parts as Json[];

describe('determinism', () => {
  const sims: RunningSimulator[] = [];
  beforeAll(async () => {
    for (const seed of [71, 71, 72]) sims.push(await startSimulator({ scale: 'tiny', seed }));
  });
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.close()));
  });

  const streams = [
    'admins',
    'tags',
    'segments',
    'companies',
    'company_segments',
    'contacts',
    'conversations',
    'conversation_parts',
    'tickets',
    'articles',
    'activity_logs',
    'contact_attributes',
  ];

  it('the same seed gives identical truth and identical records', async () => {
    const [a, b] = sims as [RunningSimulator, RunningSimulator];
    for (const stream of streams) expect(await truth(b, stream), stream).toEqual(await truth(a, stream));
    const contact = ids(await truth(a, 'contacts'))[7] as string;
    const company = ids(await truth(a, 'companies'))[3] as string;
    const conversation = ids(await truth(a, 'conversations'))[5] as string;
    for (const path of [
      `/contacts/${contact}`,
      `/companies/${company}`,
      `/conversations/${conversation}`,
      '/admins',
      '/me',
      '/contacts?per_page=10',
    ])
      expect((await api(b, path)).text, path).toBe((await api(a, path)).text);
    const search = { method: 'POST', body: { ...everything, pagination: { per_page: 5 } } };
    expect((await api(b, '/tickets/search', search)).text).toBe(
      (await api(a, '/tickets/search', search)).text,
    );
  });

  it('a different seed gives a different workspace', async () => {
    const [a, , c] = sims as [RunningSimulator, RunningSimulator, RunningSimulator];
    expect(await truth(c, 'contacts')).not.toEqual(await truth(a, 'contacts'));
    expect(await truth(c, 'conversation_parts')).not.toEqual(await truth(a, 'conversation_parts'));
    expect((await api(c, '/admins')).text).not.toBe((await api(a, '/admins')).text);
    expect((await api(c, '/conversations?per_page=3')).text).not.toBe(
      (await api(a, '/conversations?per_page=3')).text,
    );
  });
});

describe('a generated workspace', () => {
  let sim: RunningSimulator;
  let ws: Awaited<ReturnType<typeof readWorkspace>>;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', seed: 73, counts: { contacts: 150, conversations: 60 } });
    ws = await readWorkspace(sim);
  });
  afterAll(async () => {
    await sim?.close();
  });

  const records = () => ({
    contacts: ws.contacts,
    companies: ws.companies,
    conversations: ws.conversations,
    parts: ws.conversations.flatMap(parts),
    tickets: ws.tickets,
    articles: ws.articles,
    collections: ws.collections,
    activityLogs: ws.activityLogs,
    newsItems: ws.newsItems,
  });
  const configuration = () => ({
    segments: ws.segments,
    ticketTypes: ws.ticketTypes,
    helpCenters: ws.helpCenters,
    attributes: [...ws.attributes.contact, ...ws.attributes.company, ...ws.attributes.conversation],
  });

  it('updated_at ≥ created_at everywhere', () => {
    let checked = 0;
    for (const [kind, list] of Object.entries({ ...records(), ...configuration() })) {
      for (const r of list) {
        if (r.updated_at === undefined || r.created_at === undefined) continue;
        expect(r.updated_at as number, `${kind} ${String(r.id)}`).toBeGreaterThanOrEqual(
          r.created_at as number,
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('record timestamps fall within the two years before the anchor', () => {
    const anchor = sim.options.anchor;
    // A customer-supplied creation date and a future snooze end are not history.
    const notHistory = new Set(['remote_created_at', 'snoozed_until']);
    for (const [kind, list] of Object.entries(records())) {
      expect(list.length, kind).toBeGreaterThan(0);
      for (const r of list) {
        for (const [key, value] of Object.entries(r)) {
          if (!(key.endsWith('_at') || key === 'waiting_since') || notHistory.has(key)) continue;
          if (value === null) continue;
          const where = `${kind} ${String(r.id)} ${key}`;
          expect(Number.isInteger(value), where).toBe(true);
          expect(value as number, where).toBeGreaterThanOrEqual(anchor - TWO_YEARS);
          expect(value as number, where).toBeLessThanOrEqual(anchor);
        }
      }
    }
  });

  it('workspace configuration dates lie between the app’s creation and the anchor', () => {
    const appCreated = (ws.me.app as Json).created_at as number;
    expect(appCreated).toBeLessThanOrEqual(sim.options.anchor - TWO_YEARS);
    for (const [kind, list] of Object.entries(configuration())) {
      for (const r of list) {
        for (const key of ['created_at', 'updated_at']) {
          if (r[key] === undefined) continue;
          expect(r[key] as number, `${kind} ${key}`).toBeGreaterThanOrEqual(appCreated);
          expect(r[key] as number, `${kind} ${key}`).toBeLessThanOrEqual(sim.options.anchor);
        }
      }
    }
  });

  it('references point at records that exist', async () => {
    const admins = new Set(ids(ws.admins));
    const teams = new Set(ids(ws.teams));
    const tags = new Set(ids(ws.tags));
    const contacts = new Set(ids(ws.contacts));
    const companies = new Set(ids(ws.companies));
    const segments = new Set(ids(ws.segments));
    const ticketTypes = new Set(ids(ws.ticketTypes));
    const collections = new Set(ids(ws.collections));
    expect(contacts.size).toBe(150);

    for (const c of ws.conversations) {
      const listed = (c.contacts as Json).contacts as Json[];
      expect(listed.length).toBeGreaterThan(0);
      for (const who of listed) expect(contacts.has(String(who.id))).toBe(true);
      const author = (c.source as Json).author as Json;
      expect(contacts.has(String(author.id))).toBe(true);
      if (c.admin_assignee_id !== null) expect(admins.has(String(c.admin_assignee_id))).toBe(true);
      if (c.team_assignee_id !== null) expect(teams.has(String(c.team_assignee_id))).toBe(true);
      for (const tag of (c.tags as Json).tags as Json[]) expect(tags.has(String(tag.id))).toBe(true);
      for (const p of parts(c)) {
        const a = p.author as Json;
        if (a.type === 'admin') expect(admins.has(String(a.id)), `admin ${String(a.id)}`).toBe(true);
        else {
          expect(['user', 'lead', 'contact']).toContain(a.type);
          expect(contacts.has(String(a.id)), `contact ${String(a.id)}`).toBe(true);
          expect(listed.map((x) => x.id)).toContain(a.id);
        }
        if (p.assigned_to) expect(admins.has(String((p.assigned_to as Json).id))).toBe(true);
      }
    }
    let withCompanies = 0;
    for (const c of ws.contacts) {
      for (const ref of (c.companies as Json).data as Json[])
        expect(companies.has(String(ref.id))).toBe(true);
      for (const ref of (c.tags as Json).data as Json[]) expect(tags.has(String(ref.id))).toBe(true);
      if (c.owner_id !== null) expect(admins.has(String(c.owner_id))).toBe(true);
      if (((c.companies as Json).total_count as number) > 0 && withCompanies++ < 5) {
        const full = ok(await api(sim, `/contacts/${String(c.id)}/companies`));
        for (const company of full.data as Json[]) expect(companies.has(String(company.id))).toBe(true);
      }
    }
    expect(withCompanies).toBeGreaterThan(0);
    for (const t of ws.tickets) {
      expect(ticketTypes.has(String((t.ticket_type as Json).id))).toBe(true);
      for (const who of (t.contacts as Json).contacts as Json[])
        expect(contacts.has(String(who.id))).toBe(true);
      expect(admins.has(String(t.admin_assignee_id))).toBe(true);
      expect(teams.has(String(t.team_assignee_id))).toBe(true);
    }
    for (const company of ws.companies) {
      for (const s of (company.segments as Json).segments as Json[])
        expect(segments.has(String(s.id))).toBe(true);
      for (const tag of (company.tags as Json).tags as Json[]) expect(tags.has(String(tag.id))).toBe(true);
    }
    for (const a of ws.articles) {
      if (a.parent_id !== null) expect(collections.has(String(a.parent_id))).toBe(true);
      expect(admins.has(String(a.author_id))).toBe(true);
    }
    for (const team of ws.teams)
      for (const admin of team.admin_ids as number[]) expect(admins.has(String(admin))).toBe(true);
    for (const log of ws.activityLogs) expect(admins.has(String((log.performed_by as Json).id))).toBe(true);
  });

  it('custom attribute values have their declared data types', () => {
    const isType: Record<string, (v: unknown) => boolean> = {
      string: (v) => typeof v === 'string',
      integer: (v) => Number.isInteger(v),
      float: (v) => typeof v === 'number' && Number.isFinite(v),
      boolean: (v) => typeof v === 'boolean',
      date: (v) => Number.isInteger(v) && (v as number) > 1_000_000_000 && (v as number) < 4_000_000_000,
    };
    const models = {
      contact: ws.contacts,
      company: ws.companies,
      conversation: ws.conversations,
    } as const;
    for (const [model, list] of Object.entries(models)) {
      const declared = new Map(
        ws.attributes[model as keyof typeof models]
          .filter((a) => a.custom === true)
          .map((a) => [a.name as string, a]),
      );
      expect(declared.size).toBeGreaterThan(0);
      expect(new Set([...declared.values()].map((a) => a.data_type))).toEqual(
        new Set(['string', 'integer', 'float', 'boolean', 'date']),
      );
      const seen = new Set<string>();
      for (const r of list) {
        for (const [name, value] of Object.entries(r.custom_attributes as Json)) {
          const attribute = declared.get(name);
          expect(attribute, `${model} attribute ${name} is declared`).toBeDefined();
          if (value === null) continue;
          const type = attribute?.data_type as string;
          expect(isType[type]?.(value), `${model}.${name} (${type}) = ${JSON.stringify(value)}`).toBe(true);
          if (attribute?.options) expect(attribute.options as string[]).toContain(value);
          seen.add(name);
        }
      }
      expect(seen).toEqual(new Set(declared.keys()));
    }
  });
});

describe('scale record counts', () => {
  for (const scale of ['tiny', 'small'] as const) {
    it(`${scale}`, async () => {
      const sim = await startSimulator({ scale, seed: 74 });
      try {
        const want = SCALES[scale];
        const count = async (stream: string) => (await truth(sim, stream)).length;
        expect(await count('admins')).toBe(want.admins);
        expect(await count('teams')).toBe(want.teams);
        expect(await count('tags')).toBe(want.tags);
        expect(await count('segments')).toBe(want.segments);
        expect(await count('companies')).toBe(want.companies);
        expect(await count('contacts')).toBe(want.contacts);
        expect((await count('users')) + (await count('leads'))).toBe(want.contacts);
        expect(await count('conversations')).toBe(want.conversations);
        expect(await count('tickets')).toBe(want.tickets);
        expect(await count('articles')).toBe(want.articles);
        expect(await count('help_center_collections')).toBe(want.collections);
        expect(await count('activity_logs')).toBe(want.activityLogs);
        expect((ok(await api(sim, '/ticket_types')).data as Json[]).length).toBe(want.ticketTypes);
        expect((ok(await api(sim, '/help_center/help_centers')).data as Json[]).length).toBe(
          want.helpCenters,
        );
        expect(ok(await api(sim, '/news/news_items')).total_count).toBe(want.newsItems);
        expect(ok(await api(sim, '/contacts?per_page=1')).total_count).toBe(want.contacts);
        expect(ok(await api(sim, '/companies?per_page=1')).total_count).toBe(want.companies);

        const perConversation = new Map<string, number>();
        for (const p of await truth(sim, 'conversation_parts'))
          perConversation.set(
            String(p.conversation_id),
            (perConversation.get(String(p.conversation_id)) ?? 0) + 1,
          );
        const huge = [...perConversation.values()].filter((n) => n > 500);
        expect(huge.length).toBe(want.hugeConversations);
        const total = [...perConversation.values()].reduce((a, b) => a + b, 0);
        const mean = total / want.conversations;
        expect(mean).toBeGreaterThan(want.avgParts * 0.5);
        expect(mean).toBeLessThan(want.avgParts * 1.6 + (want.hugeConversations * 700) / want.conversations);
      } finally {
        await sim.close();
      }
    });
  }
});
