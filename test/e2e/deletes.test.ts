import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import type { Destination } from '../../src/destinations/destination.js';
import { createDuckDbDestination } from '../../src/destinations/duckdb/index.js';
import { createFileDestination, latestViewSql } from '../../src/destinations/files/index.js';
import { createPostgresDestination } from '../../src/destinations/postgres/index.js';
import { runSync } from '../../src/engine/sync.js';
import { createSilentLogger } from '../../src/http/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { POSTGRES_TEST_URI, postgresUnavailable } from '../destinations/postgres-harness.js';
import { api, truth } from '../support/simulator-client.js';
import { createTestClient } from '../support/test-client.js';
import { queryDuckDb } from '../support/warehouse.js';

/**
 * Deletes Intercom does not report, end to end over HTTP: the simulator deletes contacts,
 * companies, a tag and a team; an incremental sync cannot see it; `--reconcile` marks exactly the
 * deleted contacts and companies; replace with `--soft-deletes` keeps the deleted tag and team with
 * `_deleted_at`, without it they go; a reconcile whose listing fails marks nothing. On DuckDB and
 * PostgreSQL.
 */

const TOKEN = 'tok_deletes_SECRET_5521';
const STREAMS = [
  'contacts',
  'companies',
  'tags',
  'teams',
  'admins',
  'segments',
  'conversations',
  'conversation_parts',
];

const pgUnavailable = await postgresUnavailable();

const outputs: string[] = [];

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await runCli(args, io, {});
  outputs.push(...out, ...err);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface Warehouse {
  uri: string;
  extra: string[];
  /**
   * Column `key` (default `id`, as text) of every row, with `_deleted_at` (epoch seconds or null;
   * null too when the column is missing).
   */
  rows(table: string, key?: string): Promise<Array<{ id: string; deleted: number | null }>>;
  destination(): Destination;
}

function duckDbWarehouse(path: string): Warehouse {
  return {
    uri: `duckdb:///${path}`,
    extra: [],
    async rows(table, key = 'id') {
      const columns = await queryDuckDb(
        path,
        `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'intercom' AND table_name = '${table}'`,
      );
      const has = columns.some((c) => c.column_name === '_deleted_at');
      const rows = await queryDuckDb(
        path,
        `SELECT CAST("${key}" AS VARCHAR) AS id, ${has ? 'epoch(_deleted_at)' : 'NULL'} AS deleted FROM intercom."${table}"`,
      );
      return rows.map((r) => ({ id: String(r.id), deleted: r.deleted === null ? null : Number(r.deleted) }));
    },
    destination: () => createDuckDbDestination({ path, schema: 'intercom' }),
  };
}

function postgresWarehouse(schema: string): Warehouse {
  return {
    uri: POSTGRES_TEST_URI,
    extra: ['--dest-schema', schema],
    async rows(table, key = 'id') {
      const client = new pg.Client({ connectionString: POSTGRES_TEST_URI });
      await client.connect();
      try {
        const columns = await client.query(
          'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
          [schema, table],
        );
        const has = columns.rows.some((r: { column_name: string }) => r.column_name === '_deleted_at');
        const result = await client.query(
          `SELECT "${key}"::text AS id, ${has ? 'extract(epoch from _deleted_at)::float8' : 'NULL::float8'} AS deleted FROM "${schema}"."${table}"`,
        );
        return result.rows.map((r: { id: string; deleted: number | null }) => ({
          id: r.id,
          deleted: r.deleted === null ? null : Number(r.deleted),
        }));
      } finally {
        await client.end();
      }
    },
    destination: () => createPostgresDestination({ connectionString: POSTGRES_TEST_URI, schema }),
  };
}

function parquetWarehouse(root: string): Warehouse {
  return {
    uri: `parquet:///${root}`,
    extra: [],
    async rows(table, key = 'id') {
      const instance = await DuckDBInstance.create(':memory:');
      try {
        const connection = await instance.connect();
        const view = await latestViewSql(root, table);
        const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM (${view})`);
        const has = described.getRowObjectsJS().some((r) => r.column_name === '_deleted_at');
        const reader = await connection.runAndReadAll(
          `SELECT CAST("${key}" AS VARCHAR) AS id, ${has ? 'epoch(_deleted_at)' : 'NULL'} AS deleted FROM (${view})`,
        );
        connection.closeSync();
        return reader
          .getRowObjectsJS()
          .map((r) => ({ id: String(r.id), deleted: r.deleted === null ? null : Number(r.deleted) }));
      } finally {
        instance.closeSync();
      }
    },
    destination: () => createFileDestination({ root, format: 'parquet' }),
  };
}

const deletedIds = (rows: Array<{ id: string; deleted: number | null }>) =>
  rows
    .filter((r) => r.deleted !== null)
    .map((r) => r.id)
    .sort();
const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id).sort();

async function scenario(warehouse: Warehouse): Promise<void> {
  const sim: RunningSimulator = await startSimulator({
    scale: 'tiny',
    seed: 11,
    token: TOKEN,
    counts: { contacts: 420, companies: 130, conversations: 40 },
  });
  try {
    const sync = (...flags: string[]) =>
      cli([
        'sync',
        '--access-token',
        TOKEN,
        '--base-url',
        sim.url,
        '--dest-uri',
        warehouse.uri,
        ...warehouse.extra,
        '--streams',
        STREAMS.join(','),
        ...flags,
      ]);
    const first = await sync();
    expect(first.code, first.err).toBe(0);
    const contactsBefore = await warehouse.rows('contacts');
    expect(ids(contactsBefore)).toEqual(
      ids(await truth(sim, 'contacts').then((t) => t.map((r) => ({ id: String(r.id) })))),
    );

    const tagsBefore = await warehouse.rows('tags');
    const teamsBefore = await warehouse.rows('teams');
    const victims = {
      contacts: contactsBefore.slice(3, 6).map((r) => r.id),
      companies: (await warehouse.rows('companies')).slice(1, 3).map((r) => r.id),
      tags: [tagsBefore[0]?.id as string],
      teams: [teamsBefore[0]?.id as string],
      conversations: (await warehouse.rows('conversations')).slice(0, 2).map((r) => r.id),
    };
    const mutated = await api(sim, '/_simulator/mutate', {
      method: 'POST',
      body: { delete: victims, advance_seconds: 3600 },
    });
    expect(mutated.status, mutated.text).toBe(200);
    const mutation = mutated.body as { now: number; deleted: Record<string, string[]> };
    expect(mutation.deleted).toEqual(victims);

    // An incremental sync cannot see deleted contacts and companies: they stay, unmarked.
    const incremental = await sync('--soft-deletes');
    expect(incremental.code, incremental.err).toBe(0);
    const contactsAfter = await warehouse.rows('contacts');
    expect(ids(contactsAfter)).toEqual(ids(contactsBefore));
    expect(deletedIds(contactsAfter)).toEqual([]);
    expect(deletedIds(await warehouse.rows('companies'))).toEqual([]);
    // Conversations, which Intercom does report (GET /conversations/deleted), are marked, parts too.
    expect(deletedIds(await warehouse.rows('conversations'))).toEqual([...victims.conversations].sort());
    const parts = await warehouse.rows('conversation_parts', 'conversation_id');
    const partsOf = (rows: typeof parts) => rows.filter((r) => victims.conversations.includes(r.id));
    expect(partsOf(parts).length).toBeGreaterThan(0);
    expect(partsOf(parts).every((r) => r.deleted !== null)).toBe(true);
    expect(parts.filter((r) => r.deleted !== null).length).toBe(partsOf(parts).length);

    // Replace with --soft-deletes: the deleted tag and team stay, marked at the sync's start.
    const tagsSoft = await warehouse.rows('tags');
    expect(ids(tagsSoft)).toEqual(ids(tagsBefore));
    expect(deletedIds(tagsSoft)).toEqual(victims.tags);
    const teamsSoft = await warehouse.rows('teams');
    expect(ids(teamsSoft)).toEqual(ids(teamsBefore));
    expect(deletedIds(teamsSoft)).toEqual(victims.teams);
    const markedAt = tagsSoft.find((r) => r.deleted !== null)?.deleted as number;
    expect(Math.abs(markedAt - mutation.now)).toBeLessThan(120);
    // Unchanged: the admins and segments nobody deleted carry no mark.
    expect(deletedIds(await warehouse.rows('admins'))).toEqual([]);

    // A second soft-delete run keeps the first mark (the row is still gone; its time stays).
    sim.control.mutate({ advance_seconds: 7200 });
    expect((await sync('--soft-deletes')).code).toBe(0);
    expect((await warehouse.rows('tags')).find((r) => r.id === victims.tags[0])?.deleted).toBe(markedAt);

    // A reconciliation whose listing fails marks nothing (no retries: the first fault ends it).
    await interruptedReconcile(sim, warehouse);
    expect(deletedIds(await warehouse.rows('contacts'))).toEqual([]);
    expect(deletedIds(await warehouse.rows('companies'))).toEqual([]);

    // --reconcile marks exactly the deleted contacts and companies, and says what it cost.
    const reconciled = await sync('--reconcile', '--soft-deletes');
    expect(reconciled.code, reconciled.err).toBe(0);
    expect(deletedIds(await warehouse.rows('contacts'))).toEqual([...victims.contacts].sort());
    expect(deletedIds(await warehouse.rows('companies'))).toEqual([...victims.companies].sort());
    const liveContacts = (await truth(sim, 'contacts')).length;
    expect(reconciled.out).toContain(`contacts: ${liveContacts} ids listed`);
    expect(reconciled.out).toContain('contacts: 3 rows marked deleted');
    expect(reconciled.out).toContain(`contacts: ${Math.ceil(liveContacts / 150)} reconcile requests`);
    expect(reconciled.out).toContain('companies: 2 rows marked deleted');

    // Without --soft-deletes, replace drops the deleted tag and team.
    const plain = await sync();
    expect(plain.code, plain.err).toBe(0);
    expect(ids(await warehouse.rows('tags'))).toEqual(
      ids(tagsBefore).filter((id) => !victims.tags.includes(id)),
    );
    expect(ids(await warehouse.rows('teams'))).toEqual(
      ids(teamsBefore).filter((id) => !victims.teams.includes(id)),
    );

    // --reconcile --hard-deletes removes every contact Intercom no longer lists.
    const hard = await sync('--reconcile', '--hard-deletes');
    expect(hard.code, hard.err).toBe(0);
    const contactsHard = await warehouse.rows('contacts');
    expect(ids(contactsHard)).toEqual(ids(contactsBefore).filter((id) => !victims.contacts.includes(id)));
    expect(hard.out).toContain('contacts: 3 rows removed as deleted');
    // --hard-deletes removes deleted conversations and all their parts (the lookback re-reads the
    // deletions the earlier syncs marked).
    const hardConversations = await sync('--hard-deletes', '--lookback-days', '1');
    expect(hardConversations.code, hardConversations.err).toBe(0);
    expect(
      (await warehouse.rows('conversations')).filter((r) => victims.conversations.includes(r.id)),
    ).toEqual([]);
    expect(partsOf(await warehouse.rows('conversation_parts', 'conversation_id'))).toEqual([]);
  } finally {
    await sim.close();
  }
}

/**
 * A reconcile through the engine with a client that does not retry, a fault on every page of the
 * listing: were the failure ignored, every contact would be marked.
 */
async function interruptedReconcile(sim: RunningSimulator, warehouse: Warehouse): Promise<void> {
  sim.control.configure({
    fault_rate: 1,
    fault_kinds: ['http_500'],
    // The listing's route only: the sync itself (POST /contacts/search) succeeds.
    fault_routes: ['GET /contacts'],
  });
  const logger = createSilentLogger();
  const client = createTestClient(sim.url, TOKEN, { maxInFlight: 4, maxRetries: 0 });
  const destination = warehouse.destination();
  try {
    const result = await runSync(
      {
        streams: ['contacts'],
        startDate: Date.UTC(2010, 0, 1) / 1000,
        lookbackSeconds: 0,
        fullRefresh: false,
        reconcile: true,
      },
      { client, destination, logger, signal: new AbortController().signal },
    );
    expect(result.ok).toBe(false);
    for (const stream of result.streams) {
      expect(stream.status).toBe('failed');
      expect(stream.error).toContain('no row was marked deleted');
      expect(stream.notes.rows_marked_deleted).toBeUndefined();
    }
  } finally {
    await destination.close();
    await client.close();
    sim.control.configure({ fault_rate: 0, fault_routes: [] });
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-deletes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('deletes Intercom does not report', () => {
  it('DuckDB', async () => {
    await scenario(duckDbWarehouse(join(dir, 'deletes.duckdb')));
  });

  it('Parquet files (the latest view shows the marks)', async () => {
    await scenario(parquetWarehouse(join(dir, 'lake')));
  });

  describe.skipIf(pgUnavailable !== undefined)('PostgreSQL', () => {
    it('PostgreSQL', async () => {
      const schema = `e2e_deletes_${process.pid}`;
      try {
        await scenario(postgresWarehouse(schema));
      } finally {
        const admin = new pg.Client({ connectionString: POSTGRES_TEST_URI });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      }
    });
  });

  it('--reconcile without contacts or companies is a usage error: exit 2, one sentence', async () => {
    const result = await cli([
      'sync',
      '--access-token',
      TOKEN,
      '--base-url',
      'http://127.0.0.1:9',
      '--dest-uri',
      `duckdb:///${join(dir, 'never.duckdb')}`,
      '--streams',
      'tags,teams',
      '--reconcile',
    ]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('--reconcile compares the ids of contacts and companies');
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('never prints the access token', () => {
    expect(outputs.join('\n')).not.toContain(TOKEN);
  });
});
