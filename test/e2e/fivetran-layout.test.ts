import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { parse } from 'yaml';
import { type LayoutName, supportsLayouts } from '../../src/destinations/layouts/index.js';
import {
  type Client,
  ConfigurationError,
  createClient,
  createDuckDbDestination,
  createFileDestination,
  createPostgresDestination,
  type Destination,
  sync,
} from '../../src/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import {
  connectTestClient,
  HOW_TO_RUN_POSTGRES_TESTS,
  POSTGRES_TEST_URI,
  probePostgres,
  uniqueSchemaName,
} from '../destinations/postgres-harness.js';
import { requireEnvironment } from '../support/environment.js';
import { api, truth } from '../support/simulator-client.js';
import { queryDuckDb } from '../support/warehouse.js';
import { cli, OutputLog, runBuiltCli } from './cli-helpers.js';

const TOKEN = 'tok_fivetran_layout_SECRET_51c3';
/** 2026-01-10 12:00 UTC: the simulator's clock. */
const NOW = Date.UTC(2026, 0, 10, 12) / 1000;
const SHARED = new URL('../../../shared/dbt-intercom/', import.meta.url);
const LAYOUT: LayoutName = 'fivetran';

/** The tables and columns dbt_intercom's `src_intercom.yml` names. */
async function packageSources(): Promise<Map<string, string[]>> {
  const yml = parse(await readFile(new URL('src_intercom.yml', SHARED), 'utf8')) as {
    sources: Array<{ tables: Array<{ name: string; columns: Array<{ name: string }> }> }>;
  };
  const tables = yml.sources[0]?.tables ?? [];
  return new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
}

/** The header of each of the package's integration-test seeds (`<table>_data: a,b,c`). */
async function seedColumns(): Promise<Map<string, string[]>> {
  const text = await readFile(new URL('seed-columns.txt', SHARED), 'utf8');
  return new Map(
    text
      .split('\n')
      .filter((line) => line.includes(':'))
      .map((line) => {
        const [name, columns] = line.split(':') as [string, string];
        return [name.replace(/_data$/, ''), columns.trim().split(',')];
      }),
  );
}

type TypeClass = 'string' | 'number' | 'boolean' | 'timestamp';

const BOOLEANS = new Set([
  '_fivetran_active',
  '_fivetran_deleted',
  'is_read',
  'read',
  'unsubscribed_from_emails',
  'website_turned_on',
  'has_hard_bounced',
  'marked_email_as_spam',
]);
const NUMBERS = new Set([
  'statistics_views',
  'statistics_conversations',
  'statistics_reactions',
  'statistics_happy_reaction_percentage',
  'statistics_neutral_reaction_percentage',
  'statistics_sad_reaction_percentage',
  'user_count',
  'session_count',
  'monthly_spend',
  'conversation_rating_value',
  'order',
  'size',
]);

/** What type the package (and its seeds) expect of a column. */
function expectedClass(column: string): TypeClass {
  if (BOOLEANS.has(column)) return 'boolean';
  if (NUMBERS.has(column)) return 'number';
  if (
    column.endsWith('_at') ||
    ['_fivetran_start', '_fivetran_end', '_fivetran_synced', 'waiting_since', 'snoozed_until'].includes(
      column,
    )
  )
    return 'timestamp';
  return 'string';
}

/** The class of a database type as information_schema spells it (DuckDB or PostgreSQL). */
function classOf(dataType: string): TypeClass | undefined {
  const type = dataType.toLowerCase();
  if (type === 'varchar' || type === 'text') return 'string';
  if (type === 'bigint' || type === 'double' || type === 'double precision') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'timestamp with time zone') return 'timestamp';
  return undefined;
}

/** A warehouse under test: a destination, and plain SQL against what it wrote. */
interface Warehouse {
  name: string;
  destination: () => Destination;
  query: (sql: string) => Promise<Array<Record<string, unknown>>>;
  schema: string;
  close: () => Promise<void>;
}

let dir: string;
let sim: RunningSimulator;
let client: Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-fivetran-'));
  sim = await startSimulator({
    scale: 'tiny',
    seed: 23,
    token: TOKEN,
    now: NOW,
    counts: { contacts: 120, companies: 30, conversations: 40, tickets: 5, activityLogs: 10 },
    // A killed sync's company scroll is not left holding the app's one scroll for long.
    scrollIdleExpirySeconds: 2,
  });
  client = createClient({ accessToken: TOKEN, baseUrl: sim.url });
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

async function duckDbWarehouse(name: string): Promise<Warehouse> {
  const path = join(dir, `${name}.duckdb`);
  return {
    name: 'duckdb',
    schema: 'intercom',
    destination: () => createDuckDbDestination({ path }),
    query: (sql) => queryDuckDb(path, sql),
    close: async () => undefined,
  };
}

async function postgresWarehouse(context: TestContext): Promise<Warehouse> {
  const problem = await probePostgres();
  if (problem !== undefined)
    requireEnvironment(context, `PostgreSQL (${HOW_TO_RUN_POSTGRES_TESTS}): ${problem}`);
  const schema = uniqueSchemaName('fivetran_layout');
  const pg = await connectTestClient();
  return {
    name: 'postgres',
    schema,
    destination: () => createPostgresDestination({ connectionString: POSTGRES_TEST_URI, schema }),
    query: async (sql) => (await pg.query(sql.replaceAll('intercom.', `"${schema}".`))).rows,
    close: async () => {
      await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pg.end();
    },
  };
}

/** One sync with the layout, as `intercom-sync sync --layout fivetran` runs it. */
async function syncWithLayout(warehouse: Warehouse) {
  const destination = warehouse.destination();
  try {
    const result = await sync({ client, destination, layout: LAYOUT });
    expect(result.ok, JSON.stringify(result.streams.filter((s) => s.status !== 'succeeded'))).toBe(true);
    return result;
  } finally {
    await destination.close();
  }
}

async function columnsOf(warehouse: Warehouse, table: string): Promise<Map<string, string>> {
  const rows = await warehouse.query(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = '${warehouse.schema}' AND table_name = '${table}'`,
  );
  return new Map(rows.map((r) => [String(r.column_name), String(r.data_type)]));
}

/** Unix seconds (with milliseconds) of a timestamp as the query helpers return it (`2026-01-10 12:00:00.5+00`). */
const epoch = (value: unknown): number =>
  value instanceof Date
    ? value.getTime() / 1000
    : new Date(
        String(value)
          .replace(' ', 'T')
          .replace(/([+-]\d\d)$/, '$1:00'),
      ).getTime() / 1000;

describe.each([
  ['duckdb', (_context: TestContext) => duckDbWarehouse('contract')],
  ['postgres', (context: TestContext) => postgresWarehouse(context)],
])('the layout on %s', (_name, open) => {
  it("has every table and column dbt_intercom's sources name, with compatible types, and the package's staging queries agree with the workspace", async (context) => {
    const warehouse = await open(context);
    try {
      const result = await syncWithLayout(warehouse);
      expect(result.layout?.tables.map((t) => t.table).sort()).toEqual(
        [...(await packageSources()).keys()].sort(),
      );

      const problems: string[] = [];
      const seeds = await seedColumns();
      for (const [table, columns] of await packageSources()) {
        const have = await columnsOf(warehouse, table);
        if (have.size === 0) problems.push(`${table}: missing`);
        // The seeds' headers are the package's fuller picture (custom_* are the seed's own attributes).
        const all = new Set([
          ...columns,
          ...(seeds.get(table) ?? []).filter((c) => !c.startsWith('custom_')),
        ]);
        for (const column of all) {
          const type = have.get(column);
          if (type === undefined) problems.push(`${table}.${column}: missing`);
          else if (classOf(type) !== expectedClass(column))
            problems.push(`${table}.${column}: ${type}, expected ${expectedClass(column)}`);
        }
      }
      expect(problems).toEqual([]);

      // Custom attributes as typed custom_<name> columns.
      const contactColumns = await columnsOf(warehouse, 'contact_history');
      expect([...contactColumns.keys()].filter((c) => c.startsWith('custom_')).length).toBeGreaterThan(0);

      // stg_intercom__contact_history: the latest active version of each contact.
      const contacts = await warehouse.query(
        `SELECT id, updated_at FROM (
           SELECT id, updated_at, row_number() OVER (PARTITION BY id ORDER BY _fivetran_start DESC) AS n
             FROM intercom.contact_history WHERE _fivetran_active) latest WHERE n = 1`,
      );
      const contactTruth = await truth(sim, 'contacts');
      expect(new Map(contacts.map((r) => [String(r.id), epoch(r.updated_at)]))).toEqual(
        new Map(contactTruth.map((r) => [String(r.id), Number(r.updated_at)])),
      );

      // stg_intercom__conversation_part_history joined to the latest conversations.
      const parts = await warehouse.query(
        `SELECT p.id, p.conversation_id, p.author_type, c.source_author_type
           FROM intercom.conversation_part_history p
           JOIN intercom.conversation_history c ON c.id = p.conversation_id AND c._fivetran_active
          WHERE p._fivetran_active`,
      );
      const partTruth = (await truth(sim, 'conversation_parts')).filter((p) => p.beyond_api_cap !== true);
      expect(parts.map((p) => String(p.id)).sort()).toEqual(partTruth.map((p) => String(p.id)).sort());
      expect(parts.every((p) => typeof p.author_type === 'string')).toBe(true);

      // The first message's author, flattened from the conversation's `source`.
      const [first] = (await truth(sim, 'conversations')).map((c) => String(c.id)).sort();
      const conversation = (await api(sim, `/conversations/${first}`)).body as {
        source: { author: { id: string; type: string } };
        conversation_rating?: { rating?: number } | null;
      };
      const [flat] = await warehouse.query(
        `SELECT source_author_id, source_author_type FROM intercom.conversation_history
          WHERE id = '${first}' AND _fivetran_active`,
      );
      expect(flat).toEqual({
        source_author_id: String(conversation.source.author.id),
        source_author_type: conversation.source.author.type,
      });

      // Nested fields flattened with `_`, custom attributes typed, as the API answers them.
      const someContact = String(contactTruth[0]?.id);
      const apiContact = (await api(sim, `/contacts/${someContact}`)).body as {
        location: { city: string; country: string };
        custom_attributes: { seats: number; trial_ends_at: number };
      };
      const [contactRow] = await warehouse.query(
        `SELECT location_city, location_country, custom_seats, custom_trial_ends_at
           FROM intercom.contact_history WHERE id = '${someContact}' AND _fivetran_active`,
      );
      expect(contactRow?.location_city).toBe(apiContact.location.city);
      expect(contactRow?.location_country).toBe(apiContact.location.country);
      expect(Number(contactRow?.custom_seats)).toBe(apiContact.custom_attributes.seats);
      expect(epoch(contactRow?.custom_trial_ends_at)).toBe(apiContact.custom_attributes.trial_ends_at);
      const apiConversation = (await api(sim, `/conversations/${first}`)).body as {
        first_contact_reply: { created_at: number } | null;
      };
      const [reply] = await warehouse.query(
        `SELECT first_contact_reply_created_at AS at FROM intercom.conversation_history
          WHERE id = '${first}' AND _fivetran_active`,
      );
      expect(reply?.at === null ? null : epoch(reply?.at)).toBe(
        apiConversation.first_contact_reply?.created_at ?? null,
      );
      const apiArticles = (
        (await api(sim, '/articles')).body as {
          data: Array<{ id: string; parent_id: number | null; parent_type: string | null }>;
        }
      ).data;
      const articles = await warehouse.query(
        'SELECT id, collection_id FROM intercom.article_history WHERE _fivetran_active',
      );
      expect(new Map(articles.map((a) => [String(a.id), a.collection_id]))).toEqual(
        new Map(
          apiArticles.map((a) => [
            String(a.id),
            a.parent_type === 'collection' && a.parent_id !== null ? String(a.parent_id) : null,
          ]),
        ),
      );

      // Admins, teams and tags as the workspace has them, none deleted.
      for (const [table, stream] of [
        ['admin', 'admins'],
        ['team', 'teams'],
        ['tag', 'tags'],
      ] as const) {
        const rows = await warehouse.query(`SELECT id FROM intercom.${table} WHERE NOT _fivetran_deleted`);
        expect(rows.map((r) => String(r.id)).sort(), table).toEqual(
          (await truth(sim, stream)).map((r) => String(r.id)).sort(),
        );
      }

      // stg_intercom__contact_tag_history joined to tags: each contact's tags by name.
      const tagged = await warehouse.query(
        `SELECT ct.contact_id, t.name FROM intercom.contact_tag_history ct
           JOIN intercom.tag t ON t.id = ct.tag_id WHERE ct._fivetran_active`,
      );
      const someContacts = contactTruth.slice(0, 15).map((c) => String(c.id));
      for (const id of someContacts) {
        const listed = ((await api(sim, `/contacts/${id}/tags`)).body as { data: Array<{ name: string }> })
          .data;
        expect(
          tagged
            .filter((r) => r.contact_id === id)
            .map((r) => String(r.name))
            .sort(),
          id,
        ).toEqual(listed.map((t) => t.name).sort());
      }

      // Help centers, from the help_centers stream.
      const helpCenters = await warehouse.query(
        `SELECT id, display_name, website_turned_on FROM intercom.help_center_history WHERE _fivetran_active`,
      );
      const listedCenters = ((await api(sim, '/help_center/help_centers')).body as { data: unknown[] }).data;
      expect(helpCenters).toHaveLength(listedCenters.length);
    } finally {
      await warehouse.close();
    }
  }, 120_000);
});

describe.each([
  ['duckdb', (_context: TestContext) => duckDbWarehouse('scd')],
  ['postgres', (context: TestContext) => postgresWarehouse(context)],
])('history on %s (slowly changing dimensions)', (_name, open) => {
  it('a changed contact gets a second version and the first one closes; a removed tag closes its link; a deleted conversation closes at its deletion', async (context) => {
    const warehouse = await open(context);
    try {
      await syncWithLayout(warehouse);
      const [contact] = (await truth(sim, 'contacts')).map((c) => String(c.id)).sort();
      const changed = sim.control.mutate({
        advance_seconds: 3600,
        update: { contacts: [contact as string] },
      });
      const second = await syncWithLayout(warehouse);
      expect(second.layout?.tables.find((t) => t.table === 'contact_history')).toMatchObject({
        inserted: 1,
        closed: 1,
      });

      const versions = await warehouse.query(
        `SELECT updated_at, _fivetran_start, _fivetran_end, _fivetran_active
         FROM intercom.contact_history WHERE id = '${contact}' ORDER BY _fivetran_start`,
      );
      expect(versions).toHaveLength(2);
      const [old, current] = versions as [Record<string, unknown>, Record<string, unknown>];
      expect([old._fivetran_active, current._fivetran_active]).toEqual([false, true]);
      expect(epoch(current.updated_at)).toBe(changed.now);
      expect(epoch(current._fivetran_start)).toBe(changed.now);
      expect(epoch(old._fivetran_end)).toBeCloseTo(changed.now - 0.001, 6);
      expect(epoch(current._fivetran_end)).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999) / 1000);

      // Untag: the tag is deleted from the workspace, and the contact holding it changes. (The
      // newest tag: the simulator derives inline tag ids from positions, which a deletion of an
      // older tag would shift.)
      const allTags = ((await api(sim, '/tags')).body as { data: Array<{ id: string }> }).data;
      const newest = String(allTags.at(-1)?.id);
      let holder: { contact: string; tag: string } | undefined;
      for (const id of (await truth(sim, 'contacts')).map((c) => String(c.id)).sort()) {
        const tags = ((await api(sim, `/contacts/${id}/tags`)).body as { data: Array<{ id: string }> }).data;
        if (tags.some((t) => String(t.id) === newest)) {
          holder = { contact: id, tag: newest };
          break;
        }
      }
      if (holder === undefined) throw new Error('no contact has the newest tag');
      const before = await warehouse.query(
        `SELECT 1 FROM intercom.contact_tag_history
          WHERE contact_id = '${holder.contact}' AND tag_id = '${holder.tag}' AND _fivetran_active`,
      );
      expect(before).toHaveLength(1);
      // And a conversation is deleted: its history (and its parts') closes when Intercom deleted it.
      const [withParts] = await warehouse.query(
        'SELECT MIN(conversation_id) AS id FROM intercom.conversation_part_history',
      );
      const gone = String(withParts?.id);
      const untagged = sim.control.mutate({
        advance_seconds: 3600,
        delete: { tags: [holder.tag], conversations: [gone] },
        update: { contacts: [holder.contact] },
      });
      await syncWithLayout(warehouse);
      const link = await warehouse.query(
        `SELECT _fivetran_active, _fivetran_end, contact_updated_at FROM intercom.contact_tag_history
        WHERE contact_id = '${holder.contact}' AND tag_id = '${holder.tag}' ORDER BY _fivetran_start`,
      );
      expect(link.length).toBeGreaterThan(0);
      expect(link.every((l) => l._fivetran_active === false)).toBe(true);
      expect(epoch(link.at(-1)?._fivetran_end)).toBeCloseTo(untagged.now - 0.001, 6);
      const now = (
        (await api(sim, `/contacts/${holder.contact}/tags`)).body as { data: Array<{ id: string }> }
      ).data;
      const active = await warehouse.query(
        `SELECT tag_id FROM intercom.contact_tag_history WHERE contact_id = '${holder.contact}' AND _fivetran_active`,
      );
      expect(active.map((r) => String(r.tag_id)).sort()).toEqual(now.map((t) => String(t.id)).sort());
      const [tag] = await warehouse.query(
        `SELECT _fivetran_deleted FROM intercom.tag WHERE id = '${holder.tag}'`,
      );
      expect(tag?._fivetran_deleted).toBe(true);
      for (const table of ['conversation_history', 'conversation_part_history']) {
        const column = table === 'conversation_history' ? 'id' : 'conversation_id';
        const rows = await warehouse.query(
          `SELECT _fivetran_active, _fivetran_end FROM intercom.${table} WHERE ${column} = '${gone}'`,
        );
        expect(rows.length, table).toBeGreaterThan(0);
        expect(
          rows.every((r) => r._fivetran_active === false),
          table,
        ).toBe(true);
        expect(Math.max(...rows.map((r) => epoch(r._fivetran_end))), table).toBe(untagged.now);
      }

      // Applying again changes nothing.
      const destination = warehouse.destination();
      try {
        await destination.open();
        if (!supportsLayouts(destination)) throw new Error('DuckDB applies layouts');
        const again = await destination.applyLayout(LAYOUT);
        expect(again.tables.filter((t) => t.inserted + t.closed > 0)).toEqual([]);
      } finally {
        await destination.close();
      }
    } finally {
      await warehouse.close();
    }
  }, 120_000);
});

describe('the CLI', () => {
  const log = new OutputLog();
  const args = (db: string) => [
    'sync',
    '--base-url',
    sim.url,
    '--dest-uri',
    `duckdb:///${db}`,
    '--layout',
    'fivetran',
    '--log-format',
    'json',
  ];
  /** Every history table's rows, without the time each was loaded. */
  async function history(db: string): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const table of (await packageSources()).keys()) {
      if (!table.endsWith('_history')) continue;
      const rows = await queryDuckDb(db, `SELECT * EXCLUDE (_fivetran_synced) FROM intercom.${table}`);
      out[table] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  }

  it('killed with SIGKILL mid-sync, a rerun leaves the same history as an uninterrupted run', async () => {
    const env = { INTERCOM_ACCESS_TOKEN: TOKEN };
    const steady = join(dir, 'steady.duckdb');
    const killed = join(dir, 'killed.duckdb');
    for (const db of [steady, killed]) {
      const run = await runBuiltCli(log, args(db), { env, timeoutMs: 60_000 });
      expect(run.code, run.stderr).toBe(0);
    }
    sim.control.mutate({
      advance_seconds: 7200,
      update: { contacts: 12, companies: 4, conversations: 6, articles: 1 },
      create: { contacts: 3, conversation_parts: 5 },
    });
    expect((await runBuiltCli(log, args(steady), { env, timeoutMs: 60_000 })).code).toBe(0);

    // Slow the API down so the kill lands while streams (or the layout) are being written.
    sim.control.configure({ latency_ms: 40 });
    try {
      const interrupted = await runBuiltCli(log, args(killed), {
        env,
        signalAfter: { signal: 'SIGKILL', afterMs: 400 },
        timeoutMs: 60_000,
      });
      expect(interrupted.signal).toBe('SIGKILL');
      // The kill interrupted the work: the history is not yet what the uninterrupted run made.
      expect(await history(killed)).not.toEqual(await history(steady));
    } finally {
      sim.control.configure({ latency_ms: 0 });
    }
    const rerun = await runBuiltCli(log, args(killed), { env, timeoutMs: 60_000 });
    expect(rerun.code, rerun.stderr).toBe(0);
    const [a, b] = [await history(steady), await history(killed)];
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const table of Object.keys(a)) expect(b[table], table).toEqual(a[table]);
    expect((a.contact_history ?? []).length).toBeGreaterThan(120);
    expect((a.contact_history ?? []).some((row) => String(row).includes('"_fivetran_active":false'))).toBe(
      true,
    );
    expect(log.text).not.toContain(TOKEN);
  }, 180_000);

  it('refuses a file destination, an unknown layout and --dest-table with exit 2 and one sentence', async () => {
    const run = await cli(
      log,
      [
        'sync',
        '--access-token',
        TOKEN,
        '--base-url',
        sim.url,
        '--dest-uri',
        `file://${dir}/lake`,
        '--format',
        'jsonl',
        '--layout',
        'fivetran',
      ],
      {},
    );
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      'error: --layout fivetran needs a DuckDB or PostgreSQL destination: the file destination cannot maintain history tables.',
    );
    const unknown = await cli(log, ['sync', '--access-token', TOKEN, '--layout', 'stitch'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('error: --layout must be one of fivetran, got "stitch".');
    const renamed = await cli(
      log,
      [
        'sync',
        '--access-token',
        TOKEN,
        '--streams',
        'contacts',
        '--dest-table',
        'raw.people',
        '--layout',
        'fivetran',
      ],
      {},
    );
    expect(renamed.code).toBe(2);
    expect(renamed.err).toBe(
      "error: --layout reads the streams' own tables, so it cannot be combined with --dest-table.",
    );
    // The library refuses before syncing anything.
    const files = createFileDestination({ root: join(dir, 'lake'), format: 'jsonl' });
    await expect(sync({ client, destination: files, layout: LAYOUT })).rejects.toThrow(ConfigurationError);
    expect(log.text).not.toContain(TOKEN);
  });
});
