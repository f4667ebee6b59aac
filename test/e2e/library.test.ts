import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type Client,
  type ColumnSpec,
  ConfigurationError,
  type Conversation,
  createClient,
  createDuckDbDestination,
  type Destination,
  readStream,
  type StreamName,
  streams,
  sync,
  type TableSpec,
} from '../../src/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { STREAMS } from '../../src/streams/index.js';
import { compareWithTruth, mismatches } from '../support/warehouse.js';

const TOKEN = 'tok_library_SECRET_3e8d41';
/** 2026-01-10 12:00 UTC: the simulator's clock. */
const NOW = Date.UTC(2026, 0, 10, 12) / 1000;

let sim: RunningSimulator;
let client: Client;

beforeAll(async () => {
  sim = await startSimulator({
    scale: 'tiny',
    seed: 11,
    token: TOKEN,
    now: NOW,
    counts: { contacts: 300, companies: 60, conversations: 80, tickets: 30, activityLogs: 120 },
  });
  client = createClient({ accessToken: TOKEN, baseUrl: sim.url });
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

async function collect<T>(records: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of records) out.push(r);
  return out;
}

/** The key of a record in the simulator's truth, as each stream identifies its records. */
function keyOf(stream: string, record: Record<string, unknown>): string {
  if (stream === 'company_segments') return `${record.company_id}/${record.id}`;
  if (stream.endsWith('_attributes')) return `${record.model}/${record.name}`;
  // Link tables: the parent's id and the linked id, the first two columns.
  if (record.id === undefined) return Object.values(record).slice(0, 2).map(String).join('/');
  return String(record.id);
}

/** Every stream's records, read once (concurrently, through the one client). */
let everything: Promise<Map<StreamName, Array<Record<string, unknown>>>> | undefined;
function allRecords() {
  everything ??= (async () => {
    const names = STREAMS.map((s) => s.name as StreamName);
    const read = await Promise.all(names.map((name) => collect(readStream(client, name))));
    return new Map(names.map((name, k) => [name, read[k] as Array<Record<string, unknown>>]));
  })();
  return everything;
}

const truthKeys = (stream: string, keep: (r: Record<string, unknown>) => boolean = () => true) =>
  sim.control
    .truth(stream)
    .filter((r) => r.beyond_api_cap !== true && keep(r))
    .map((r) => keyOf(stream, r))
    .sort();

describe('streams', () => {
  it('every stream yields exactly the records of the workspace, each once', async () => {
    for (const [name, records] of await allRecords())
      expect(records.map((r) => keyOf(name, r)).sort(), name).toEqual(truthKeys(name));
    // The per-stream readers are the same streams under JavaScript names.
    expect(Object.keys(streams)).toHaveLength(STREAMS.length);
    expect((await collect(streams.helpCenterCollections(client))).map((c) => c.id).sort()).toEqual(
      truthKeys('help_center_collections'),
    );
  });

  it('records have every field their type says is present (the generated types hold for the simulator)', async () => {
    const generator = (await import(new URL('../../scripts/generate-types.mjs', import.meta.url).href)) as {
      SOMETIMES_ABSENT: Record<string, string[]>;
    };
    const spec = parse(
      await readFile(
        new URL('../../../shared/intercom-openapi/api.intercom.io.2.14.yaml', import.meta.url),
        'utf8',
      ),
    ) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    const schemaOf: Partial<Record<StreamName, string>> = {
      admins: 'admin',
      teams: 'team',
      tags: 'tag',
      segments: 'segment',
      contact_attributes: 'data_attribute',
      companies: 'company',
      company_segments: 'segment',
      contacts: 'contact',
      conversations: 'conversation_list_item',
      conversation_parts: 'conversation_part',
      tickets: 'ticket',
      articles: 'article_list_item',
      help_center_collections: 'collection',
      activity_logs: 'activity_log',
    };
    const missing: string[] = [];
    for (const [stream, schema] of Object.entries(schemaOf)) {
      const optional = generator.SOMETIMES_ABSENT[schema as string] ?? [];
      const required = Object.keys(spec.components.schemas[schema as string]?.properties ?? {}).filter(
        (field) => !optional.includes(field),
      );
      expect(required.length, schema).toBeGreaterThan(0);
      for (const record of (await allRecords()).get(stream as StreamName) ?? []) {
        for (const field of required)
          if (!(field in record)) missing.push(`${stream}: ${field} (record ${String(record.id)})`);
      }
    }
    expect([...new Set(missing.map((m) => m.replace(/ \(record .*\)$/, '')))]).toEqual([]);
  });

  it('updatedSince and updatedBefore keep the records whose cursor is in range, searched or filtered', async () => {
    const since = new Date(Date.UTC(2025, 11, 20, 7, 30) * 1);
    const before = new Date(Date.UTC(2026, 0, 3));
    const s = since.getTime() / 1000;
    const b = before.getTime() / 1000;
    const inRange = (field: string) => (r: Record<string, unknown>) =>
      (r[field] as number) >= s && (r[field] as number) < b;
    const contacts = await collect(streams.contacts(client, { updatedSince: since, updatedBefore: before }));
    expect(contacts.map((c) => c.id).sort()).toEqual(truthKeys('contacts', inRange('updated_at')));
    expect(contacts.length).toBeGreaterThan(0);
    // A search reads in updated_at order.
    const times = contacts.map((c) => c.updated_at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const companies = await collect(streams.companies(client, { updatedSince: since }));
    expect(companies.map((c) => c.id).sort()).toEqual(
      truthKeys('companies', (r) => (r.updated_at as number) >= s),
    );
    const logs = await collect(streams.activityLogs(client, { updatedSince: since, updatedBefore: before }));
    expect(logs.map((l) => l.id).sort()).toEqual(truthKeys('activity_logs', inRange('created_at')));
    const conversations = await collect(streams.conversations(client, { updatedSince: since }));
    expect(conversations.map((c) => c.id).sort()).toEqual(
      truthKeys('conversations', (r) => (r.updated_at as number) >= s),
    );
  });

  it('a child stream reads one parent, or every parent in range, with the parent id on each record', async () => {
    const conversations = await collect(streams.conversations(client));
    const one = conversations.find((c) =>
      sim.control.truth('conversation_parts').some((p) => p.conversation_id === c.id),
    );
    const parent = one as Conversation;
    const parts = await collect(streams.conversationParts(client, { parent }));
    const expected = truthKeys('conversation_parts', (r) => r.conversation_id === parent.id);
    expect(parts.map((p) => p.id).sort()).toEqual(expected);
    expect(new Set(parts.map((p) => p.conversation_id))).toEqual(new Set([parent.id]));
    expect(parts.every((p) => p.conversation_updated_at === parent.updated_at)).toBe(true);

    const since = new Date(Date.UTC(2025, 11, 25) * 1);
    const recent = new Set(
      sim.control
        .truth('conversations')
        .filter((c) => (c.updated_at as number) >= since.getTime() / 1000)
        .map((c) => c.id),
    );
    const all = await collect(streams.conversationParts(client, { updatedSince: since, concurrency: 3 }));
    expect(all.map((p) => p.id).sort()).toEqual(
      truthKeys('conversation_parts', (r) => recent.has(r.conversation_id)),
    );
    // Children come grouped by parent, in the parents' order.
    const order = all.map((p) => p.conversation_id).filter((id, k, ids) => id !== ids[k - 1]);
    expect(new Set(order).size).toBe(order.length);

    const segments = await collect(
      streams.companySegments(client, { parent: { id: 'no-such-company', updated_at: 0 } }),
    );
    expect(segments).toEqual([]);
  });

  it('leaving a loop early stops reading; an aborted signal rejects; bad options are configuration errors', async () => {
    const requests = () => (sim.control.stats() as { total_requests: number }).total_requests;
    const before = requests();
    let seen = 0;
    for await (const _ of streams.conversationParts(client, { concurrency: 4 })) {
      if (++seen === 3) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The first page of conversations, then at most the 4 parents' parts in flight.
    expect(requests() - before).toBeLessThanOrEqual(5);

    const controller = new AbortController();
    const reading = (async () => {
      for await (const _ of streams.contacts(client, { signal: controller.signal }))
        controller.abort(new Error('enough'));
    })();
    await expect(reading).rejects.toThrow('enough');

    await expect(collect(streams.contacts(client, { updatedSince: new Date('nonsense') }))).rejects.toThrow(
      ConfigurationError,
    );
    await expect(collect(readStream(client, 'contactz' as StreamName))).rejects.toThrow(
      /Unknown stream "contactz"/,
    );
    expect(() => createClient({ accessToken: '' })).toThrow(ConfigurationError);
    expect(() => createClient({ accessToken: 'x', baseUrl: 'http://example.com' })).toThrow(/https/);
  });
});

describe('sync', () => {
  it('syncs into DuckDB with the engine, incrementally', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'intercom-sync-library-'));
    const db = join(dir, 'w.duckdb');
    try {
      const names: StreamName[] = ['admins', 'contacts', 'conversations', 'conversation_parts'];
      const first = createDuckDbDestination({ path: db });
      const result = await sync({ client, destination: first, streams: names });
      await first.close();
      expect(result.ok, JSON.stringify(result.streams)).toBe(true);
      expect(mismatches(await Promise.all(names.map((s) => compareWithTruth(sim, db, s))))).toEqual([]);
      const second = createDuckDbDestination({ path: db });
      const again = await sync({ client, destination: second, streams: ['contacts'] });
      await second.close();
      expect(again.ok).toBe(true);
      expect(again.streams[0]?.records).toBeLessThan(result.streams[1]?.records ?? 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes into a destination object of your own', async () => {
    const tables = new Map<string, { spec: TableSpec; rows: Array<Record<string, unknown>> }>();
    const states = new Map<string, unknown>();
    const destination: Destination = {
      description: 'memory',
      open: async () => undefined,
      readState: async () => new Map(states),
      prepare: async (spec) => {
        const table = tables.get(spec.stream) ?? { spec, rows: [] };
        table.spec = spec;
        tables.set(spec.stream, table);
        return {
          commit: async (rows, state) => {
            table.rows.push(...rows);
            if (state !== undefined) states.set(spec.stream, state);
          },
          delete: async () => undefined,
          finish: async (state) => {
            if (state !== undefined) states.set(spec.stream, state);
          },
          abort: async () => undefined,
        };
      },
      close: async () => undefined,
    };
    const result = await sync({
      client,
      destination,
      streams: ['tags', 'tickets'],
      startDate: new Date('2024-01-01'),
    });
    expect(result.ok).toBe(true);
    expect(
      tables
        .get('tags')
        ?.rows.map((r) => r.id)
        .sort(),
    ).toEqual(truthKeys('tags'));
    expect(
      tables
        .get('tickets')
        ?.rows.map((r) => r.id)
        .sort(),
    ).toEqual(truthKeys('tickets'));
    const columns = tables.get('tickets')?.spec.columns.map((c: ColumnSpec) => c.name) ?? [];
    expect(columns).toContain('_synced_at');
    expect(states.get('tickets')).toMatchObject({ cursor: expect.any(Number) });
    await expect(sync({ client, destination, streams: ['nope' as StreamName] })).rejects.toThrow(
      ConfigurationError,
    );
  });
});
