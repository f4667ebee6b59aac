import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_BLOB, HOSTILE_NAMES } from '../../src/simulator/hostile.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { DEFAULT_STREAMS } from '../../src/streams/index.js';
import { POSTGRES_TEST_URI, postgresUnavailable } from '../destinations/postgres-harness.js';
import {
  compareReaderWithTruth,
  duckDbReader,
  mismatches,
  postgresReader,
  queryDuckDb,
  type RowReader,
  TRUTH_KEYS,
} from '../support/warehouse.js';
import { MARKER_TOKEN, OutputLog, runBuiltCli } from './cli-helpers.js';

/**
 * Hostile responses (the simulator's `hostile` option): fields of unexpected types, unknown `type`s,
 * quarter-million-character strings, 100-level nesting, attribute and field names that are SQL, long or
 * unicode, and a conversation without its parts envelope. Each is loaded safely (every record of the
 * truth is in the table) or fails loudly; values that could not be kept are reported with their
 * record's id.
 */

const STREAMS = DEFAULT_STREAMS.filter((s) => TRUTH_KEYS[s] !== undefined);
const LOADABLE = ['types', 'unknown_type', 'huge_strings', 'deep_nesting', 'hostile_names'] as const;
const log = new OutputLog();
let dir: string;

const pgUnavailable = await postgresUnavailable();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hostileSimulator = (hostile: Array<(typeof LOADABLE)[number] | 'missing_envelope'>) =>
  startSimulator({
    scale: 'tiny',
    seed: 23,
    token: MARKER_TOKEN,
    hostile,
    counts: { contacts: 60, companies: 16, conversations: 24, tickets: 8 },
  });

function sync(sim: RunningSimulator, destUri: string, extra: string[] = []) {
  return runBuiltCli(
    log,
    [
      'sync',
      '--base-url',
      sim.url,
      '--dest-uri',
      destUri,
      '--streams',
      STREAMS.join(','),
      '--log-format',
      'json',
      ...extra,
    ],
    { env: { INTERCOM_ACCESS_TOKEN: sim.token }, timeoutMs: 60_000 },
  );
}

async function truthMismatches(sim: RunningSimulator, reader: RowReader, streams = STREAMS) {
  return mismatches(await Promise.all(streams.map((s) => compareReaderWithTruth(sim, reader, s))));
}

interface Summary {
  ok: boolean;
  streams: Array<{ stream: string; status: string; coercedValues: number; error?: string }>;
}
const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Summary;

/** Every warning about a value that could not be kept names the record's id. */
function expectCoercionsReportedWithIds(stderr: string, summary: Summary): void {
  const coerced = summary.streams.reduce((n, s) => n + s.coercedValues, 0);
  expect(coerced).toBeGreaterThan(0);
  const warnings = stderr.split('\n').filter((l) => l.includes('loaded as NULL'));
  expect(warnings.length).toBeGreaterThan(0);
  for (const line of warnings) expect(line).toMatch(/of record \S+/);
}

describe('hostile responses into DuckDB', () => {
  it('loads every record of the truth, quotes every hostile name, keeps huge and deep values, reports coerced values by id', async () => {
    const sim = await hostileSimulator([...LOADABLE]);
    try {
      const db = join(dir, 'hostile.duckdb');
      const run = await sync(sim, `duckdb:///${db}`);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      expect(await truthMismatches(sim, duckDbReader(db))).toEqual([]);
      expectCoercionsReportedWithIds(run.stderr, summaryOf(run.stdout));

      const columns = (
        await queryDuckDb(
          db,
          "SELECT column_name FROM information_schema.columns WHERE table_schema = 'intercom' AND table_name = 'contacts'",
        )
      ).map((r) => String(r.column_name));
      for (const name of HOSTILE_NAMES) {
        expect(columns).toContain(`extra ${name}`);
        expect(
          columns.some((c) => c.startsWith('custom_') && c.toLowerCase() === `custom_${name}`.toLowerCase()),
        ).toBe(true);
      }
      const [facts] = await queryDuckDb(
        db,
        `SELECT max(length(hostile_blob)) AS blob,
                count(*) FILTER (WHERE json_extract_string(hostile_nested, '$.level_1.level_2.level_3') IS NOT NULL) AS deep,
                count(*) FILTER (WHERE "type" = 'hostile.unknown_type') AS odd_type,
                count("custom_""; DROP TABLE intercom.contacts; --") AS sql_named
           FROM intercom.contacts`,
      );
      expect(facts).toMatchObject({ blob: [...HOSTILE_BLOB].length });
      expect(Number(facts?.deep)).toBeGreaterThan(0);
      expect(Number(facts?.odd_type)).toBeGreaterThan(0);
      expect(Number(facts?.sql_named)).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  }, 90_000);
});

describe.skipIf(pgUnavailable !== undefined)('hostile responses into PostgreSQL', () => {
  it('loads every record of the truth; names past 63 bytes get short physical names; the huge string is whole', async () => {
    const sim = await hostileSimulator([...LOADABLE]);
    const schema = `hostile_${process.pid}`;
    const client = new pg.Client({ connectionString: POSTGRES_TEST_URI });
    await client.connect();
    try {
      const run = await sync(sim, POSTGRES_TEST_URI, ['--dest-schema', schema]);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const reader = postgresReader(POSTGRES_TEST_URI, schema);
      expect(await truthMismatches(sim, reader)).toEqual([]);
      expectCoercionsReportedWithIds(run.stderr, summaryOf(run.stdout));
      const columns = (
        await client.query<{ column_name: string }>(
          "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'contacts'",
          [schema],
        )
      ).rows.map((r) => r.column_name);
      expect(Math.max(...columns.map((c) => Buffer.byteLength(c)))).toBeLessThanOrEqual(63);
      // Every hostile name is a column: as it is when it fits, else under a shortened physical name.
      for (const name of HOSTILE_NAMES.filter((n) => Buffer.byteLength(`extra ${n}`) <= 63))
        expect(columns).toContain(`extra ${name}`);
      expect(columns.filter((c) => c.includes('very_long')).length).toBeGreaterThanOrEqual(2);
      const facts = await client.query(
        `SELECT max(length(hostile_blob)) AS blob, count(hostile_nested) AS deep FROM "${schema}".contacts`,
      );
      expect(Number(facts.rows[0].blob)).toBe([...HOSTILE_BLOB].length);
      expect(Number(facts.rows[0].deep)).toBeGreaterThan(0);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await client.end();
      await sim.close();
    }
  }, 90_000);
});

describe('a conversation served without its parts envelope', () => {
  it('fails conversation_parts loudly naming stream and endpoint; the rest match; a clean rerun matches', async () => {
    const sim = await hostileSimulator(['missing_envelope']);
    try {
      const db = join(dir, 'envelope.duckdb');
      const run = await sync(sim, `duckdb:///${db}`);
      expect(run.code).toBe(1);
      const failed = summaryOf(run.stdout).streams.filter((s) => s.status === 'failed');
      expect(failed.map((s) => s.stream)).toEqual(['conversation_parts']);
      expect(failed[0]?.error).toMatch(
        /conversation_parts.*GET \/conversations\/\{id\}.* for conversations [0-9a-f]+ \(request_id [^ )]+\)/,
      );
      expect(
        await truthMismatches(
          sim,
          duckDbReader(db),
          STREAMS.filter((s) => s !== 'conversation_parts'),
        ),
      ).toEqual([]);
      // State was not advanced past what was written: with the envelope back, the parts all arrive.
      sim.control.configure({ hostile: [] });
      const rerun = await sync(sim, `duckdb:///${db}`);
      expect(rerun.code, rerun.stderr.slice(-2000)).toBe(0);
      expect(await truthMismatches(sim, duckDbReader(db))).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 90_000);

  it('never printed the access token', () => {
    expect(log.size).toBeGreaterThan(0);
    expect(log.text).not.toContain(MARKER_TOKEN);
  });
});
