import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { POSTGRES_TEST_URI, postgresUnavailable } from '../destinations/postgres-harness.js';
import { api } from '../support/simulator-client.js';
import {
  compareReaderWithTruth,
  duckDbReader,
  mismatches,
  postgresReader,
  queryDuckDb,
  type RowReader,
} from '../support/warehouse.js';

/**
 * Two workspaces (two simulators, different seeds and app ids) syncing into one DuckDB file and one
 * Postgres schema: every table keyed by workspace_id, states kept apart, replace replacing only its
 * own workspace's rows. Each workspace's rows must equal its own truth after every step.
 */

const TOKEN = 'tok_workspaces_SECRET_9090';
const STREAMS = [
  'admins',
  'teams',
  'team_admins',
  'tags',
  'companies',
  'company_tags',
  'contacts',
  'contact_tags',
  'contact_companies',
  'conversations',
  'conversation_parts',
  'conversation_tags',
  'conversation_contacts',
];

const pgUnavailable = await postgresUnavailable();

let dir: string;
const sims: RunningSimulator[] = [];
const workspaceIds: string[] = [];

async function sync(sim: RunningSimulator, destUri: string, extra: string[] = []): Promise<void> {
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
      destUri,
      '--streams',
      STREAMS.join(','),
      ...extra,
    ],
    io,
    {},
  );
  expect(code, `${out.join('\n')}\n${err.join('\n')}`).toBe(0);
}

async function compareBoth(reader: (workspace: string) => RowReader): Promise<void> {
  for (const [index, sim] of sims.entries()) {
    const comparisons = await Promise.all(
      STREAMS.map((s) => compareReaderWithTruth(sim, reader(workspaceIds[index] as string), s)),
    );
    expect(mismatches(comparisons), `workspace ${workspaceIds[index]}`).toEqual([]);
  }
}

async function mutateBoth(): Promise<void> {
  for (const sim of sims) {
    const res = await api(sim, '/_simulator/mutate', {
      method: 'POST',
      body: {
        create: { contacts: 5, conversation_parts: 10 },
        update: { contacts: 8, companies: 3, conversations: 4 },
        delete: { conversations: 1 },
        advance_seconds: 7200,
      },
    });
    expect(res.status).toBe(200);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-workspaces-'));
  for (const seed of [101, 202]) {
    const sim = await startSimulator({
      scale: 'tiny',
      seed,
      token: TOKEN,
      // No conversation above the 500-part cap: new parts would push old ones out of the API's reach.
      counts: { contacts: 300, companies: 60, conversations: 80, hugeConversations: 0 },
    });
    sims.push(sim);
    const me = (await api(sim, '/me')).body as { app: { id_code: string } };
    workspaceIds.push(me.app.id_code);
  }
});

afterAll(async () => {
  for (const sim of sims) await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('two workspaces in one warehouse', () => {
  it('the simulators are two workspaces', () => {
    expect(workspaceIds[0]).not.toEqual(workspaceIds[1]);
  });

  it('DuckDB: both match their truth after full, incremental and replace syncs', async () => {
    const db = join(dir, 'shared.duckdb');
    const uri = `duckdb:///${db}`;
    const reader = (workspace: string) => duckDbReader(db, 'intercom', workspace);
    for (const sim of sims) await sync(sim, uri);
    await compareBoth(reader);
    const states = await queryDuckDb(db, 'SELECT stream FROM intercom._intercom_sync_state ORDER BY stream');
    for (const workspace of workspaceIds)
      expect(states.map((s) => s.stream)).toContain(`contacts@${workspace}`);

    await mutateBoth();
    for (const sim of sims) await sync(sim, uri);
    await compareBoth(reader);

    // A full refresh (replace) of the first workspace leaves the second's rows as they are.
    await sync(sims[0] as RunningSimulator, uri, ['--full-refresh']);
    await compareBoth(reader);
  });

  it('Postgres: both match their truth after full, incremental and replace syncs', async (context) => {
    if (pgUnavailable !== undefined) context.skip(`PostgreSQL unavailable: ${pgUnavailable}`);
    const schema = `ws_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URI });
    await admin.connect();
    try {
      const uri = POSTGRES_TEST_URI;
      const reader = (workspace: string) => postgresReader(POSTGRES_TEST_URI, schema, workspace);
      for (const sim of sims) await sync(sim, uri, ['--dest-schema', schema]);
      await compareBoth(reader);
      await mutateBoth();
      for (const sim of sims) await sync(sim, uri, ['--dest-schema', schema]);
      await compareBoth(reader);
      await sync(sims[1] as RunningSimulator, uri, ['--dest-schema', schema, '--full-refresh']);
      await compareBoth(reader);
      const key = await admin.query(
        `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
        [`"${schema}"."conversation_parts"`],
      );
      expect(key.rows.map((r: { attname: string }) => r.attname)).toEqual(['workspace_id', 'id']);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
