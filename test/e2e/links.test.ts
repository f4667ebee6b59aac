import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import type { StreamSummary } from '../../src/engine/sync.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api, truth } from '../support/simulator-client.js';
import { compareWithTruth, mismatches, queryDuckDb } from '../support/warehouse.js';

/**
 * Link tables against the simulator over HTTP: complete lists past Intercom's inline 10 (read from
 * /contacts/{id}/tags and /contacts/{id}/companies), links replaced when their parent changes, link
 * tables synced without their parent, and conversations flagged when the 500-part cap cut them.
 */

const TOKEN = 'tok_links_SECRET_5521';
const LINKS = [
  'contact_tags',
  'contact_companies',
  'company_tags',
  'conversation_tags',
  'conversation_contacts',
];
const PARENTS = ['contacts', 'companies', 'conversations', 'teams'];

let dir: string;
let sim: RunningSimulator;

interface Summary {
  ok: boolean;
  requests: number;
  streams: StreamSummary[];
}

async function sync(db: string, streams: string[], extra: string[] = []): Promise<Summary> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await runCli(
    [
      'sync',
      '--access-token',
      TOKEN,
      '--base-url',
      sim.url,
      '--dest-uri',
      `duckdb:///${db}`,
      '--streams',
      streams.join(','),
      '--log-format',
      'json',
      ...extra,
    ],
    io,
    {},
  );
  expect(code, err.join('\n')).toBe(0);
  const summary = out.map((line) => JSON.parse(line) as { type?: string }).find((l) => l.type === 'summary');
  return summary as unknown as Summary;
}

const stream = (summary: Summary, name: string) =>
  summary.streams.find((s) => s.stream === name) as StreamSummary;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-links-'));
  sim = await startSimulator({
    scale: 'small',
    seed: 11,
    token: TOKEN,
    counts: { contacts: 1500, companies: 300, conversations: 120, hugeConversations: 3, tickets: 0 },
  });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('link tables, complete nested lists and truncated parts', () => {
  const db = () => join(dir, 'links.duckdb');

  it('a full sync writes every link, past the inline 10, and counts the extra requests', async () => {
    const summary = await sync(db(), [...PARENTS, ...LINKS, 'team_admins']);
    const comparisons = await Promise.all(
      [...PARENTS, ...LINKS, 'team_admins'].map((s) => compareWithTruth(sim, db(), s)),
    );
    expect(mismatches(comparisons)).toEqual([]);

    // Contacts whose inline lists Intercom cut: each one's whole list is in the link table.
    const tags = await truth(sim, 'contact_tags');
    const perContact = new Map<string, number>();
    for (const t of tags)
      perContact.set(String(t.contact_id), (perContact.get(String(t.contact_id)) ?? 0) + 1);
    const [busiest, most] = [...perContact].sort((a, b) => b[1] - a[1])[0] as [string, number];
    expect(most).toBeGreaterThan(20);
    const rows = await queryDuckDb(
      db(),
      `SELECT count(*) AS n FROM intercom.contact_tags WHERE contact_id = '${busiest}'`,
    );
    expect(rows[0]?.n).toBe(most);
    // The contact's own tags column holds the whole list too.
    const contact = await queryDuckDb(
      db(),
      `SELECT json_array_length(tags->'data') AS n, CAST(tags->'has_more' AS BOOLEAN) AS more FROM intercom.contacts WHERE id = '${busiest}'`,
    );
    expect(contact[0]).toEqual({ n: most, more: false });

    // One request per cut list (the companies list is paged by 50: one page each here).
    const cutTags = [...perContact.values()].filter((n) => n > 10).length;
    const companies = await truth(sim, 'contact_companies');
    const perCompany = new Map<string, number>();
    for (const c of companies)
      perCompany.set(String(c.contact_id), (perCompany.get(String(c.contact_id)) ?? 0) + 1);
    const cutCompanies = [...perCompany.values()].filter((n) => n > 10).length;
    expect(cutTags).toBeGreaterThan(0);
    expect(cutCompanies).toBeGreaterThan(0);
    expect(stream(summary, 'contact_tags').notes.full_list_requests).toBe(cutTags);
    expect(stream(summary, 'contact_companies').notes.full_list_requests).toBe(cutCompanies);

    // Conversations above Intercom's 500-part cap are flagged on their row and counted.
    const flagged = await queryDuckDb(
      db(),
      'SELECT count(*) FILTER (WHERE parts_truncated) AS yes, count(*) FILTER (WHERE NOT parts_truncated) AS no FROM intercom.conversations',
    );
    expect(flagged[0]).toEqual({ yes: 3, no: 117 });
    expect(stream(summary, 'conversations').notes.truncated_conversations).toBe(3);
  });

  it("an incremental sync replaces a changed contact's links: a lost tag loses its row", async () => {
    const tags = await truth(sim, 'contact_tags');
    const tagged = tags.find((t) => tags.filter((u) => u.contact_id === t.contact_id).length >= 2);
    const contactId = String(tagged?.contact_id);
    const before = await queryDuckDb(
      db(),
      `SELECT tag_id FROM intercom.contact_tags WHERE contact_id = '${contactId}' ORDER BY tag_id`,
    );
    // An update takes the contact's first tag off (and moves its updated_at).
    const res = await api(sim, '/_simulator/mutate', {
      method: 'POST',
      body: { update: { contacts: [contactId] }, advance_seconds: 86_400 },
    });
    expect(res.status).toBe(200);
    const expected = (await truth(sim, 'contact_tags'))
      .filter((t) => t.contact_id === contactId)
      .map((t) => String(t.tag_id))
      .sort();
    expect(expected.length).toBe(before.length - 1);

    const summary = await sync(db(), ['contacts', ...LINKS.filter((l) => l.startsWith('contact_'))]);
    expect(stream(summary, 'contacts').records).toBeLessThan(100);
    const after = await queryDuckDb(
      db(),
      `SELECT tag_id FROM intercom.contact_tags WHERE contact_id = '${contactId}' ORDER BY tag_id`,
    );
    expect(after.map((r) => r.tag_id)).toEqual(expected);
    expect(
      mismatches(
        await Promise.all(['contact_tags', 'contact_companies'].map((s) => compareWithTruth(sim, db(), s))),
      ),
    ).toEqual([]);
  });

  it("company_segments (one request per company) replaces a changed company's segments", async () => {
    const segments = join(dir, 'segments.duckdb');
    await sync(segments, ['companies', 'company_segments']);
    expect(mismatches([await compareWithTruth(sim, segments, 'company_segments')])).toEqual([]);
    const companyId = String((await truth(sim, 'company_segments'))[0]?.company_id);
    const before = await queryDuckDb(
      segments,
      `SELECT id FROM intercom.company_segments WHERE company_id = '${companyId}' ORDER BY id`,
    );
    expect(before.length).toBeGreaterThan(0);
    // An update takes the company's first segment off.
    const res = await api(sim, '/_simulator/mutate', {
      method: 'POST',
      body: { update: { companies: [companyId] }, advance_seconds: 3600 },
    });
    expect(res.status).toBe(200);
    await sync(segments, ['companies', 'company_segments']);
    const after = await queryDuckDb(
      segments,
      `SELECT id FROM intercom.company_segments WHERE company_id = '${companyId}'`,
    );
    expect(after.length).toBe(before.length - 1);
    expect(mismatches([await compareWithTruth(sim, segments, 'company_segments')])).toEqual([]);
  });

  it('a link table synced alone reads its parent without writing it', async () => {
    const alone = join(dir, 'alone.duckdb');
    const summary = await sync(alone, ['contact_tags']);
    expect(summary.streams.map((s) => s.stream)).toEqual(['contact_tags']);
    expect(mismatches([await compareWithTruth(sim, alone, 'contact_tags')])).toEqual([]);
    const tables = await queryDuckDb(
      alone,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'intercom' AND table_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(['contact_tags']);
    // Incremental: nothing changed, so only what the lookback window holds is read again.
    const again = await sync(alone, ['contact_tags']);
    expect(stream(again, 'contact_tags').cursor).toBeGreaterThanOrEqual(
      stream(summary, 'contact_tags').cursor as number,
    );
    expect(mismatches([await compareWithTruth(sim, alone, 'contact_tags')])).toEqual([]);
  });
});
