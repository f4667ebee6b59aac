import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { STREAMS } from '../../src/streams/index.js';
import { compareWithTruth, mismatches, queryDuckDb } from '../support/warehouse.js';

const TOKEN = 'tok_e2e_SECRET_marker_7f3a9c';
const ALL_STREAMS = STREAMS.map((s) => s.name);

/** Runs the CLI in-process, capturing everything it prints. */
async function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await runCli(args, io, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let dir: string;
let sim: RunningSimulator;
let db: string;
const outputs: string[] = [];

const sync = async (extra: string[] = []) => {
  const result = await cli([
    'sync',
    '--access-token',
    TOKEN,
    '--base-url',
    sim.url,
    '--dest-uri',
    `duckdb:///${db}`,
    '--streams',
    ALL_STREAMS.join(','),
    ...extra,
  ]);
  outputs.push(result.out, result.err);
  return result;
};

const compareAll = async () => Promise.all(ALL_STREAMS.map((s) => compareWithTruth(sim, db, s)));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-e2e-'));
  db = join(dir, 'warehouse.duckdb');
  // Ten minutes before a UTC midnight, so the incremental run crosses it.
  sim = await startSimulator({
    scale: 'tiny',
    seed: 42,
    token: TOKEN,
    now: Date.UTC(2026, 0, 14, 23, 50) / 1000,
    counts: {
      contacts: 400,
      companies: 120,
      conversations: 150,
      hugeConversations: 1,
      tickets: 60,
      activityLogs: 200,
    },
  });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sync into DuckDB against the simulator', () => {
  let firstRecords = 0;

  it('copies every stream: ids and cursor values equal the truth', async () => {
    const result = await sync();
    expect(result.code, result.err).toBe(0);
    expect(mismatches(await compareAll())).toEqual([]);
    const counts = await queryDuckDb(db, `SELECT count(*) AS n FROM intercom.contacts`);
    expect(counts[0]?.n).toBe(400);
    firstRecords = (result.out.match(/^(\d+) rows in/m)?.[1] ?? '0') as unknown as number;
    expect(Number(firstRecords)).toBeGreaterThan(1000);
  });

  it('types columns: timestamps, integers, JSON and typed custom attributes', async () => {
    const columns = await queryDuckDb(
      db,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'intercom' AND table_name = 'contacts'`,
    );
    const types = Object.fromEntries(columns.map((c) => [c.column_name, c.data_type]));
    expect(types.updated_at).toBe('TIMESTAMP WITH TIME ZONE');
    expect(types.custom_attributes).toBe('JSON');
    expect(types.custom_seats).toBe('BIGINT');
    expect(types.custom_lifetime_value).toBe('DOUBLE');
    expect(types.custom_is_vip).toBe('BOOLEAN');
    expect(types.custom_trial_ends_at).toBe('TIMESTAMP WITH TIME ZONE');
    expect(types._synced_at).toBe('TIMESTAMP WITH TIME ZONE');
    const companyColumns = await queryDuckDb(
      db,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'intercom' AND table_name = 'companies'`,
    );
    expect(companyColumns.map((c) => c.column_name)).toContain('custom_Account Manager');
    const parts = await queryDuckDb(
      db,
      `SELECT count(*) AS n, count(DISTINCT conversation_id) AS c, bool_or(parts_truncated) AS truncated FROM intercom.conversation_parts`,
    );
    expect(parts[0]?.truncated).toBe(true);
    const flagged = await queryDuckDb(
      db,
      'SELECT count(*) AS n FROM intercom.conversations WHERE parts_truncated',
    );
    expect(flagged[0]?.n).toBe(1);
    const state = await queryDuckDb(db, `SELECT stream FROM intercom._intercom_sync_state ORDER BY stream`);
    // States are kept per workspace: `<stream>@<workspace id>`.
    expect(state.map((s) => String(s.stream).replace(/@[0-9a-f]+$/, ''))).toEqual(
      expect.arrayContaining([
        'activity_logs',
        'companies',
        'contacts',
        'conversation_parts',
        'conversations',
        'tickets',
      ]),
    );
  });

  it('after creates, updates, deletes, new parts and a midnight, an incremental sync matches again and reads far less', async () => {
    const mutation = sim.control.mutate({
      delete: { conversations: 3 },
      create: {
        contacts: 6,
        companies: 2,
        conversations: 3,
        conversation_parts: 12,
        tickets: 2,
        articles: 1,
      },
      update: {
        contacts: 8,
        companies: 3,
        conversations: 4,
        tickets: 2,
        articles: 1,
        help_center_collections: 1,
      },
    });
    // Across midnight: contacts' search truncates dates to the day.
    sim.control.mutate({
      advance_seconds: 20 * 60,
      update: { contacts: 5 },
      create: { contacts: 3, conversation_parts: 5 },
    });
    const before = sim.control.stats().total_requests as number;
    const result = await sync();
    expect(result.code, result.err).toBe(0);
    const requests = (sim.control.stats().total_requests as number) - before;
    expect(mismatches(await compareAll())).toEqual([]);
    const rows = Number(result.out.match(/^(\d+) rows in/m)?.[1]);
    expect(rows).toBeLessThan(Number(firstRecords) / 3);
    expect(requests).toBeLessThan(200);
    // Deleted conversations are kept as history, marked with _deleted_at, and so are their parts.
    const deleted = mutation.deleted.conversations ?? [];
    const marked = await queryDuckDb(
      db,
      `SELECT id FROM intercom.conversations WHERE _deleted_at IS NOT NULL ORDER BY id`,
    );
    expect(marked.map((r) => r.id)).toEqual([...deleted].sort());
    const parts = await queryDuckDb(
      db,
      `SELECT count(*) AS n FROM intercom.conversation_parts WHERE conversation_id IN (${deleted.map((d) => `'${d}'`).join(',')}) AND _deleted_at IS NULL`,
    );
    expect(parts[0]?.n).toBe(0);
  });

  it('--hard-deletes removes deleted conversations and their parts', async () => {
    const mutation = sim.control.mutate({ delete: { conversations: 2 } });
    const result = await sync(['--hard-deletes']);
    expect(result.code, result.err).toBe(0);
    const deleted = mutation.deleted.conversations ?? [];
    const left = await queryDuckDb(
      db,
      `SELECT (SELECT count(*) FROM intercom.conversations WHERE id IN (${deleted.map((d) => `'${d}'`).join(',')})) AS c,
              (SELECT count(*) FROM intercom.conversation_parts WHERE conversation_id IN (${deleted.map((d) => `'${d}'`).join(',')})) AS p`,
    );
    expect(left[0]).toEqual({ c: 0, p: 0 });
    expect(mismatches(await compareAll())).toEqual([]);
  });

  it('a wrong token: exit 2, one clear sentence, nothing written', async () => {
    const fresh = join(dir, 'never.duckdb');
    const result = await cli([
      'sync',
      '--access-token',
      'wrong-token-123',
      '--base-url',
      sim.url,
      '--dest-uri',
      `duckdb:///${fresh}`,
    ]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/Intercom rejected the access token/);
    expect(result.err.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(result.err).not.toMatch(/\n\s+at /);
    await expect(queryDuckDb(fresh, 'SELECT 1')).rejects.toThrow();
  });

  it('never prints the access token', () => {
    expect(outputs.join('\n')).not.toContain(TOKEN);
  });
});

describe('configuration mistakes: exit 2 with one sentence', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['bad destination URI', ['--dest-uri', 'mysql://x'], /--dest-uri scheme "mysql" is not supported/],
    ['bad date', ['--start-date', '2024-13-45'], /--start-date/],
    ['unknown stream', ['--streams', 'contacts,bogus'], /Unknown stream "bogus"/],
    [
      'unreadable connections file',
      ['--connections', '/nonexistent/connections.yml', '--connection', 'x'],
      /Cannot read the connections file/,
    ],
    ['bad region', ['--region', 'mars'], /--region must be us, eu or au/],
    ['plain http to a remote host', ['--base-url', 'http://example.com'], /http/i],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const result = await cli([
        'sync',
        '--access-token',
        'tok_123456',
        '--dest-uri',
        `duckdb:///${join(tmpdir(), 'unused.duckdb')}`,
        ...args,
      ]);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(message);
      expect(result.err.trim().split('\n')).toHaveLength(1);
      expect(result.err).not.toMatch(/\n\s+at /);
    });
  }
  it('a missing token names the ways to give one', async () => {
    const result = await cli(['sync'], {});
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/No Intercom access token/);
  });
});
