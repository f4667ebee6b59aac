import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { inspect } from 'node:util';
import type { Client } from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type {
  ColumnType,
  Destination,
  Row,
  TableSpec,
  WriteMode,
} from '../../src/destinations/destination.js';
import {
  createPostgresDestination,
  type PostgresConnectionConfig,
  PostgresDestinationError,
  parsePostgresUri,
} from '../../src/destinations/postgres/index.js';
import { describeDestinationConformance } from './conformance.js';
import {
  connectTestClient,
  createPostgresHarness,
  HOW_TO_RUN_POSTGRES_TESTS,
  POSTGRES_TEST_URI,
  type PostgresHarness,
  probePostgres,
  readPostgresRows,
  uniqueSchemaName,
} from './postgres-harness.js';

// Decided once, at collection: in CI an unreachable server fails the run; elsewhere the tests skip.
const unavailable = await probePostgres();
if (unavailable !== undefined && process.env.CI === 'true') {
  throw new Error(
    `PostgreSQL is required in CI but not reachable (${unavailable}); ${HOW_TO_RUN_POSTGRES_TESTS}.`,
  );
}
if (unavailable !== undefined) {
  console.warn(
    `Skipping the PostgreSQL destination tests (${unavailable}); to run them, ${HOW_TO_RUN_POSTGRES_TESTS}.`,
  );
}
const serverHasTls = unavailable === undefined ? await showSetting('ssl').then((ssl) => ssl === 'on') : false;

async function showSetting(name: string): Promise<string> {
  const client = await connectTestClient();
  try {
    const result = await client.query(`SELECT current_setting($1) AS value`, [name]);
    return String(result.rows[0]?.value);
  } finally {
    await client.end();
  }
}

/** The test server's config, with some parts replaced. */
function testConfig(changes: Partial<PostgresConnectionConfig>): PostgresConnectionConfig {
  return { ...parsePostgresUri(POSTGRES_TEST_URI), ...changes };
}

const SECRET = 'Pa55-w0rd-MARKER';

function tableSpec(table: string, columns: Record<string, ColumnType>, primaryKey = ['id']): TableSpec {
  return {
    stream: table,
    table,
    columns: Object.entries(columns).map(([name, type]) => ({ name, type })),
    primaryKey,
  };
}

async function run(destination: Destination, spec: TableSpec, mode: WriteMode, rows: Row[], state?: unknown) {
  const writer = await destination.prepare(spec, mode);
  await writer.commit(rows, undefined);
  await writer.finish(state);
}

/** A harness whose destination is open; cleaned up (schema dropped) when the test ends. */
async function setup(options: Parameters<typeof createPostgresHarness>[0] = {}): Promise<PostgresHarness> {
  const harness = await createPostgresHarness(options);
  onTestFinished(() => harness.cleanup());
  await harness.destination.open();
  return harness;
}

/** `column → data type` of a table, from information_schema. */
async function columnTypes(client: Client, schema: string, table: string): Promise<Record<string, string>> {
  const result = await client.query(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return Object.fromEntries(result.rows.map((row) => [String(row.column_name), String(row.data_type)]));
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

function expectNoSecret(error: unknown): void {
  for (const text of [
    error instanceof Error ? error.message : '',
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: 6 }),
  ]) {
    expect(text).not.toContain(SECRET);
  }
}

const byId = (a: Row, b: Row): number => Number(a.id) - Number(b.id);

describe.skipIf(unavailable !== undefined)('PostgreSQL destination', () => {
  describeDestinationConformance('postgres', () => createPostgresHarness());

  describe('tables and types', () => {
    it('maps the logical types to PostgreSQL types, and keeps its state in jsonb', async () => {
      const { destination, client, schema } = await setup();
      const spec = tableSpec('typed', {
        id: 'integer',
        s: 'string',
        f: 'float',
        b: 'boolean',
        t: 'timestamp',
        j: 'json',
      });
      await run(destination, spec, 'merge', [{ id: 1 }], { cursor: 1 });
      expect(await columnTypes(client, schema, 'typed')).toEqual({
        id: 'bigint',
        s: 'text',
        f: 'double precision',
        b: 'boolean',
        t: 'timestamp with time zone',
        j: 'jsonb',
      });
      expect(await columnTypes(client, schema, '_intercom_sync_state')).toEqual({
        stream: 'text',
        state: 'jsonb',
        updated_at: 'timestamp with time zone',
      });
      const key = await client.query(
        `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
          WHERE i.indrelid = $1::regclass AND i.indisprimary`,
        [`"${schema}"."typed"`],
      );
      expect(key.rows.map((row) => row.attname)).toEqual(['id']);
      const state = await client.query(`SELECT state, updated_at FROM "${schema}"._intercom_sync_state`);
      expect(state.rows[0]?.state).toEqual({ cursor: 1 });
      expect(state.rows[0]?.updated_at).toBeInstanceOf(Date);
    });

    it('creates the schema when missing, under a hostile name too', async () => {
      const schema = `my "schema"; -- ${randomBytes(3).toString('hex')}`;
      const client = await connectTestClient();
      onTestFinished(async () => {
        await client.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
        await client.end();
      });
      const destination = createPostgresDestination({ connectionString: POSTGRES_TEST_URI, schema });
      onTestFinished(() => destination.close());
      await destination.open();
      await destination.open();
      await run(destination, tableSpec('t', { id: 'integer' }), 'merge', [{ id: 1 }, { id: 1 }], {
        ok: true,
      });
      expect(await destination.readState()).toEqual(new Map([['t', { ok: true }]]));
      expect(await readPostgresRows(client, schema, 't')).toEqual([{ id: 1 }]);
    });

    it('copies new keys straight into the table; a stored key sends the batch through the landing table and ON CONFLICT; no row value is in any statement', async () => {
      const statements: string[] = [];
      const { destination, client, schema } = await setup({ onStatement: (sql) => statements.push(sql) });
      const spec = tableSpec('copied', { id: 'integer', name: 'string', meta: 'json' });
      const writer = await destination.prepare(spec, 'merge');
      const direct = `COPY "${schema}"."copied" ("id", "name", "meta") FROM STDIN (FORMAT binary)`;
      const landing = 'COPY pg_temp."_intercom_sync_landing" FROM STDIN (FORMAT binary)';
      const inserts = (): string[] => statements.filter((sql) => /^INSERT INTO "[^"]+"\."copied"/.test(sql));

      // New keys: one COPY into the table, under a savepoint, and no INSERT.
      statements.length = 0;
      await writer.commit(
        [
          { id: 1, name: 'needle-name', meta: { k: 'needle-json' } },
          { id: 2, name: 'other', meta: null },
        ],
        { cursor: 'needle-state' },
      );
      expect(statements.filter((sql) => sql.startsWith('COPY '))).toEqual([direct]);
      expect(statements).toContain('SAVEPOINT _intercom_sync_direct');
      expect(statements).toContain('RELEASE SAVEPOINT _intercom_sync_direct');
      expect(inserts()).toEqual([]);
      expect(statements[0]).toBe('BEGIN');
      expect(statements.at(-1)).toBe('COMMIT');

      // A stored key (2) among new ones: the COPY is refused by the key's index, rolled back to the
      // savepoint, and the same rows are upserted through the landing table.
      statements.length = 0;
      await writer.commit(
        [
          { id: 3, name: 'three', meta: [1] },
          { id: 2, name: 'needle-two', meta: { v: 2 } },
        ],
        { cursor: 'second' },
      );
      expect(statements.filter((sql) => sql.startsWith('COPY '))).toEqual([direct, landing]);
      expect(statements).toContain('ROLLBACK TO SAVEPOINT _intercom_sync_direct');
      expect(inserts()).toHaveLength(1);
      expect(inserts()[0]).toMatch(
        /SELECT landed\.c0, landed\.c1, landed\.c2 FROM pg_temp\."_intercom_sync_landing"/,
      );
      expect(inserts()[0]).toMatch(
        /ON CONFLICT \("id"\) DO UPDATE SET "name" = excluded\."name", "meta" = excluded\."meta"$/,
      );

      // Having met a stored key, the writer upserts from then on without trying the COPY first.
      statements.length = 0;
      await writer.commit([{ id: 4, name: 'four', meta: null }], { cursor: 'third' });
      expect(statements.filter((sql) => sql.startsWith('COPY '))).toEqual([landing]);
      expect(statements.some((sql) => sql.includes('SAVEPOINT'))).toBe(false);
      await writer.finish(undefined);

      expect((await readPostgresRows(client, schema, 'copied')).sort(byId)).toEqual([
        { id: 1, name: 'needle-name', meta: { k: 'needle-json' } },
        { id: 2, name: 'needle-two', meta: { v: 2 } },
        { id: 3, name: 'three', meta: [1] },
        { id: 4, name: 'four', meta: null },
      ]);
      expect(await destination.readState()).toEqual(new Map([['copied', { cursor: 'third' }]]));
      expect(statements.join('\n')).not.toContain('needle');
    });

    it('a stored key met halfway through a large batch: the rows already sent go again, to the landing table, with the rest', async () => {
      const statements: string[] = [];
      const harness = await setup({ onStatement: (sql) => statements.push(sql) });
      const spec = tableSpec('late', { id: 'integer', v: 'string' });
      const writer = await harness.destination.prepare(spec, 'merge');
      await writer.commit([{ id: 10_000, v: 'stored' }], { page: 0 });
      // About 6 MB of COPY data: many chunks reach the server before the last row's conflict.
      const rows = Array.from({ length: 20_000 }, (_, id) => ({ id, v: `${id}:${'v'.repeat(300)}` }));
      statements.length = 0;
      await writer.commit(rows, { page: 1 });
      expect(statements).toContain('ROLLBACK TO SAVEPOINT _intercom_sync_direct');
      const read = (await harness.readRows('late')) as { id: number; v: string }[];
      expect(read).toHaveLength(20_000);
      expect(read.every((row) => row.v === `${row.id}:${'v'.repeat(300)}`)).toBe(true);
      expect(await harness.destination.readState()).toEqual(new Map([['late', { page: 1 }]]));
    });

    it('a key repeated within a batch of new keys: the COPY is refused, and the last row of each key is upserted', async () => {
      const statements: string[] = [];
      const harness = await setup({ onStatement: (sql) => statements.push(sql) });
      const writer = await harness.destination.prepare(
        tableSpec('dup', { id: 'string', v: 'integer' }),
        'merge',
      );
      await writer.commit(
        [
          { id: 'a', v: 1 },
          { id: 'b', v: 2 },
          { id: 'a\u0000', v: 3 },
        ],
        { page: 1 },
      );
      expect(statements).toContain('ROLLBACK TO SAVEPOINT _intercom_sync_direct');
      expect(statements.filter((sql) => sql.startsWith('COPY pg_temp.'))).toHaveLength(1);
      await writer.finish(undefined);
      expect(
        ((await harness.readRows('dup')) as { id: string }[]).sort((x, y) => x.id.localeCompare(y.id)),
      ).toEqual([
        { id: 'a', v: 3 },
        { id: 'b', v: 2 },
      ]);
    });

    it('a row that does not encode, after a stored key sent the batch to the landing table, fails the commit whole', async () => {
      const harness = await setup();
      const spec = tableSpec('bad', { id: 'integer', at: 'timestamp' });
      const writer = await harness.destination.prepare(spec, 'merge');
      await writer.commit([{ id: 0, at: new Date(0) }], { page: 0 });
      const rows: Row[] = Array.from({ length: 5000 }, (_, id) => ({ id, at: new Date(id) }));
      rows[4999] = { id: 4999, at: new Date(Number.NaN) };
      const error = await failureOf(writer.commit(rows, { page: 1 }));
      expect(String(error)).toMatch(/row 4999, column "at": expected a timestamp value, got Invalid Date/);
      expect(await harness.readRows('bad')).toEqual([{ id: 0, at: new Date(0) }]);
      expect(await harness.destination.readState()).toEqual(new Map([['bad', { page: 0 }]]));
    });

    it('append copies straight into the table; a widened column sends rows through the landing table to convert them', async () => {
      const statements: string[] = [];
      const { destination, client, schema } = await setup({ onStatement: (sql) => statements.push(sql) });
      await run(destination, tableSpec('a', { id: 'integer', n: 'integer' }), 'append', [{ id: 1, n: 5 }]);
      expect(statements.filter((sql) => sql.startsWith('COPY '))).toEqual([
        `COPY "${schema}"."a" ("id", "n") FROM STDIN (FORMAT binary)`,
      ]);
      expect(statements.some((sql) => sql.includes('SAVEPOINT') || sql.startsWith('INSERT INTO'))).toBe(
        false,
      );
      // n becomes text: integers handed in afterwards are converted by the INSERT … SELECT.
      await run(destination, tableSpec('a', { id: 'integer', n: 'string' }), 'append', [{ id: 2, n: 'x' }]);
      statements.length = 0;
      await run(destination, tableSpec('a', { id: 'integer', n: 'integer' }), 'append', [{ id: 3, n: 7 }]);
      expect(statements.filter((sql) => sql.startsWith('COPY '))).toEqual([
        'COPY pg_temp."_intercom_sync_landing" FROM STDIN (FORMAT binary)',
      ]);
      expect((await readPostgresRows(client, schema, 'a')).sort(byId)).toEqual([
        { id: 1, n: '5' },
        { id: 2, n: 'x' },
        { id: 3, n: '7' },
      ]);
    });

    it('keeps CamelCase and camelcase apart as they are, without renaming either', async () => {
      const { destination, client, schema } = await setup();
      await run(
        destination,
        tableSpec('Things', { id: 'integer', CamelCase: 'string', camelcase: 'string' }),
        'append',
        [{ id: 1, CamelCase: 'upper', camelcase: 'lower' }],
      );
      await run(destination, tableSpec('things', { id: 'integer' }), 'append', [{ id: 2 }]);
      const tables = await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name ILIKE 'things' ORDER BY 1`,
        [schema],
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual(['Things', 'things']);
      expect(await columnTypes(client, schema, 'Things')).toEqual({
        id: 'bigint',
        CamelCase: 'text',
        camelcase: 'text',
      });
      expect(await readPostgresRows(client, schema, 'Things')).toEqual([
        { id: 1, CamelCase: 'upper', camelcase: 'lower' },
      ]);
    });

    it('maps names longer than 63 bytes to short physical names, and finds them again by their logical names', async () => {
      const harness = await setup();
      const { client, schema } = harness;
      const table = `help_center_collection_translations_${'x'.repeat(60)}`;
      const sibling = `${table}_2`;
      const long = `custom_attribute_${'y'.repeat(60)}`;
      const longSibling = `${long}_other`;
      const accented = 'é'.repeat(40);
      const spec = tableSpec(table, {
        id: 'integer',
        [long]: 'integer',
        [longSibling]: 'string',
        [accented]: 'json',
      });
      await run(harness.destination, spec, 'merge', [
        { id: 1, [long]: 5, [longSibling]: 'a', [accented]: { k: 1 } },
      ]);
      await run(harness.destination, tableSpec(sibling, { id: 'integer' }), 'append', [{ id: 7 }]);

      const names = await client.query(
        `SELECT c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
          WHERE n.nspname = $1 AND c.relkind = 'r'`,
        [schema],
      );
      for (const row of names.rows) {
        expect(Buffer.byteLength(String(row.relname))).toBeLessThanOrEqual(63);
        expect(Buffer.byteLength(String(row.attname))).toBeLessThanOrEqual(63);
      }
      expect(await harness.readRows(table)).toEqual([
        { id: 1, [long]: 5, [longSibling]: 'a', [accented]: { k: 1 } },
      ]);
      expect(await harness.readRows(sibling)).toEqual([{ id: 7 }]);

      // A new destination finds the table by its logical name, merges into it and widens a long column.
      const destination = await harness.reopen();
      await destination.open();
      const evolved = tableSpec(table, { id: 'integer', [long]: 'float', [accented]: 'json' });
      await run(destination, evolved, 'merge', [
        { id: 1, [long]: 1.5, [accented]: [1] },
        { id: 2, [long]: 2, [accented]: null },
      ]);
      const rows = (await harness.readRows(table)).sort(byId);
      expect(rows).toEqual([
        { id: 1, [long]: 1.5, [longSibling]: null, [accented]: [1] },
        { id: 2, [long]: 2, [longSibling]: null, [accented]: null },
      ]);
    });

    it('widens columns in place, converting old values as new ones of the narrower type', async () => {
      const { destination, client, schema } = await setup();
      await run(
        destination,
        tableSpec('w', {
          id: 'integer',
          n: 'integer',
          m: 'integer',
          t: 'timestamp',
          s: 'string',
          b: 'boolean',
        }),
        'merge',
        [{ id: 1, n: 2, m: 42, t: new Date('1969-07-20T20:17:40.123Z'), s: 'plain', b: true }],
      );
      await run(
        destination,
        tableSpec('w', { id: 'integer', n: 'float', m: 'string', t: 'string', s: 'json', b: 'string' }),
        'merge',
        [{ id: 2, n: 2.5, m: 'abc', t: 'not a time', s: { nested: true }, b: 'maybe' }],
      );
      // Values of the narrower types still load, converted like the old ones.
      await run(
        destination,
        tableSpec('w', { id: 'integer', m: 'integer', t: 'timestamp', s: 'string', b: 'boolean' }),
        'merge',
        [{ id: 3, m: 7, t: new Date('2024-01-02T03:04:05.006Z'), s: 'text', b: false }],
      );
      expect(await columnTypes(client, schema, 'w')).toEqual({
        id: 'bigint',
        n: 'double precision',
        m: 'text',
        t: 'text',
        s: 'jsonb',
        b: 'text',
      });
      expect((await readPostgresRows(client, schema, 'w')).sort(byId)).toEqual([
        { id: 1, n: 2, m: '42', t: '1969-07-20T20:17:40.123Z', s: 'plain', b: 'true' },
        { id: 2, n: 2.5, m: 'abc', t: 'not a time', s: { nested: true }, b: 'maybe' },
        { id: 3, n: null, m: '7', t: '2024-01-02T03:04:05.006Z', s: 'text', b: 'false' },
      ]);
    });

    it('stores extreme values: bigint limits, non-finite floats, years outside 1–9999', async () => {
      const harness = await setup();
      const rows: Row[] = [
        { id: 1, i: 2n ** 63n - 1n, f: Number.NaN, t: new Date(Date.UTC(-43, 2, 15, 12, 0, 0, 5)) },
        {
          id: 2,
          i: -(2n ** 63n),
          f: Number.POSITIVE_INFINITY,
          t: new Date(Date.UTC(12_345, 6, 7, 8, 9, 10, 11)),
        },
        { id: 3, i: Number.MAX_SAFE_INTEGER, f: -0.000001, t: new Date('0001-01-01T00:00:00.000Z') },
      ];
      await run(
        harness.destination,
        tableSpec('extremes', { id: 'integer', i: 'integer', f: 'float', t: 'timestamp' }),
        'append',
        rows,
      );
      const read = (await harness.readRows('extremes')).sort(byId);
      expect(read.map((row) => row.i)).toEqual([2n ** 63n - 1n, -(2n ** 63n), Number.MAX_SAFE_INTEGER]);
      expect(read.map((row) => row.f)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, -0.000001]);
      expect(read.map((row) => (row.t as Date).getTime())).toEqual(
        rows.map((row) => (row.t as Date).getTime()),
      );
    });

    it('removes NUL from strings, JSON strings and keys, and from states; keys equal without it are one key', async () => {
      const harness = await setup();
      const spec = tableSpec('nul', { id: 'string', s: 'string', j: 'json' });
      await run(
        harness.destination,
        spec,
        'merge',
        [
          { id: 'k\u0000', s: 'first', j: null },
          { id: 'k', s: 'a\u0000b', j: { 'ke\u0000y': ['v\u0000', '\\u0000 stays'] } },
        ],
        { cursor: 'c\u0000d' },
      );
      expect(await harness.readRows('nul')).toEqual([
        { id: 'k', s: 'ab', j: { key: ['v', '\\u0000 stays'] } },
      ]);
      expect(await harness.destination.readState()).toEqual(new Map([['nul', { cursor: 'cd' }]]));
    });
  });

  describe('merge and append keys', () => {
    it('merging into a table that was appended to adds the primary key, or says why it cannot', async () => {
      const harness = await setup();
      const spec = tableSpec('events', { id: 'integer', v: 'string' });
      await run(harness.destination, spec, 'append', [
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ]);
      await run(harness.destination, spec, 'merge', [
        { id: 2, v: 'b2' },
        { id: 3, v: 'c' },
      ]);
      expect((await harness.readRows('events')).sort(byId)).toEqual([
        { id: 1, v: 'a' },
        { id: 2, v: 'b2' },
        { id: 3, v: 'c' },
      ]);

      const dup = tableSpec('dups', { id: 'integer', v: 'string' });
      await run(harness.destination, dup, 'append', [
        { id: 1, v: 'a' },
        { id: 1, v: 'again' },
      ]);
      const error = await failureOf(harness.destination.prepare(dup, 'merge'));
      expect(error).toBeInstanceOf(PostgresDestinationError);
      expect((error as Error).message).toMatch(
        /prepare failed for stream "dups", table "[^"]+"\."dups" in postgresql:\/\/.*: merge needs unique, non-null values in the key \(id\)/,
      );
    });

    it('a keyed replace keeps the last row of a key, and the swapped-in table keeps the primary key', async () => {
      const harness = await setup();
      const spec = tableSpec('tags', { id: 'integer', name: 'string' });
      const writer = await harness.destination.prepare(spec, 'replace');
      await writer.commit(
        [
          { id: 1, name: 'a' },
          { id: 1, name: 'b' },
        ],
        undefined,
      );
      await writer.commit(
        [
          { id: 1, name: 'c' },
          { id: 2, name: 'd' },
        ],
        { v: 1 },
      );
      await writer.finish(undefined);
      expect((await harness.readRows('tags')).sort(byId)).toEqual([
        { id: 1, name: 'c' },
        { id: 2, name: 'd' },
      ]);
      await run(harness.destination, spec, 'merge', [{ id: 2, name: 'e' }]);
      expect((await harness.readRows('tags')).sort(byId)).toEqual([
        { id: 1, name: 'c' },
        { id: 2, name: 'e' },
      ]);
    });
  });

  describe('transactions', () => {
    it('rolls back the rows when the state write fails after them', async () => {
      const harness = await setup();
      const { client, schema, destination } = harness;
      await client.query(
        `ALTER TABLE "${schema}"._intercom_sync_state ADD CONSTRAINT no_poison CHECK (NOT (state ? 'poison'))`,
      );
      for (const mode of ['append', 'merge'] as const) {
        const writer = await destination.prepare(tableSpec(mode, { id: 'integer', v: 'string' }), mode);
        await writer.commit([{ id: 1, v: 'old' }], { page: 1 });
        const error = await failureOf(
          writer.commit(
            [
              { id: 1, v: 'new' },
              { id: 2, v: 'new' },
            ],
            { poison: true },
          ),
        );
        expect((error as Error).message).toMatch(/no_poison.*SQLSTATE 23514/);
        await writer.finish(undefined);
      }
      const replaceSpec = tableSpec('replace', { id: 'integer', v: 'string' });
      await run(destination, replaceSpec, 'replace', [{ id: 1, v: 'old' }]);
      const replacing = await destination.prepare(replaceSpec, 'replace');
      await replacing.commit([{ id: 2, v: 'new' }], undefined);
      await expect(replacing.finish({ poison: true })).rejects.toThrow(/no_poison/);
      for (const table of ['append', 'merge', 'replace']) {
        expect(await harness.readRows(table)).toEqual([{ id: 1, v: 'old' }]);
      }
    });

    it('an abort while the COPY streams fails it, rolls back, rejects with the reason, and the writer goes on', async () => {
      const controller = new AbortController();
      const reason = new Error('stop while copying');
      let copies = 0;
      const harness = await setup({
        onStatement: (sql) => {
          // Abort once the COPY has started streaming (its first chunks are on their way).
          if (sql.startsWith('COPY ') && ++copies === 2) setImmediate(() => controller.abort(reason));
        },
      });
      const spec = tableSpec('aborted', { id: 'integer', v: 'string' });
      const writer = await harness.destination.prepare(spec, 'merge');
      await writer.commit([{ id: 0, v: 'base' }], { page: 0 });

      const rows = Array.from({ length: 20_000 }, (_, id) => ({ id, v: 'v'.repeat(300) }));
      const error = await failureOf(writer.commit(rows, { page: 1 }, controller.signal));
      expect(error).toBe(reason);
      expect(await harness.readRows('aborted')).toEqual([{ id: 0, v: 'base' }]);
      expect(await harness.destination.readState()).toEqual(new Map([['aborted', { page: 0 }]]));

      await writer.commit(rows.slice(0, 10), { page: 2 });
      await writer.finish(undefined);
      expect(await harness.readRows('aborted')).toHaveLength(10);
      expect(await harness.destination.readState()).toEqual(new Map([['aborted', { page: 2 }]]));
    });

    it('an abort while a statement runs cancels it on the server', async () => {
      const harness = await setup();
      const spec = tableSpec('locked', { id: 'integer' });
      const writer = await harness.destination.prepare(spec, 'append');
      await writer.commit([{ id: 0 }], { page: 0 });
      // Another session holds the table: the commit's first statement (LOCK TABLE) waits for it.
      const blocker = await connectTestClient();
      onTestFinished(() => blocker.end());
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${harness.schema}"."locked" IN ACCESS EXCLUSIVE MODE`);
      const controller = new AbortController();
      const reason = new Error('stop waiting');
      const committing = writer.commit([{ id: 1 }], { page: 1 }, controller.signal);
      const waiting = async (): Promise<boolean> => {
        const result = await harness.client.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
          [`LOCK TABLE "${harness.schema}".%`],
        );
        return result.rows[0]?.n === 1;
      };
      while (!(await waiting())) await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort(reason);
      const outcome = await Promise.race([
        committing.then(
          () => 'resolved',
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
      ]);
      // Settled while the other session still holds the lock: the server cancelled the statement.
      expect(outcome).toBe(reason);
      await blocker.query('ROLLBACK');
      await writer.commit([{ id: 2 }], { page: 2 });
      await writer.finish(undefined);
      expect((await harness.readRows('locked')).sort(byId)).toEqual([{ id: 0 }, { id: 2 }]);
      expect(await harness.destination.readState()).toEqual(new Map([['locked', { page: 2 }]]));
    });

    it('rejects an already aborted commit with the signal’s reason, before touching the server', async () => {
      const statements: string[] = [];
      const { destination } = await setup({ onStatement: (sql) => statements.push(sql) });
      const writer = await destination.prepare(tableSpec('early', { id: 'integer' }), 'append');
      statements.length = 0;
      const reason = new Error('stop');
      await expect(writer.commit([{ id: 1 }], { page: 1 }, AbortSignal.abort(reason))).rejects.toBe(reason);
      expect(statements).toEqual([]);
    });

    it('still commits when another writer evolved the table after this one was prepared', async () => {
      const harness = await setup();
      const early = await harness.destination.prepare(
        tableSpec('shared', { id: 'integer', n: 'integer' }),
        'append',
      );
      const late = await harness.destination.prepare(
        tableSpec('shared', { id: 'integer', n: 'string', x: 'boolean' }),
        'append',
      );
      await early.commit([{ id: 1, n: 5 }], undefined);
      await late.commit([{ id: 2, n: 'five', x: true }], undefined);
      await early.finish(undefined);
      await late.finish(undefined);
      expect((await harness.readRows('shared')).sort(byId)).toEqual([
        { id: 1, n: '5', x: null },
        { id: 2, n: 'five', x: true },
      ]);
    });

    it('soft deletes match through widened columns and by columns the spec omits', async () => {
      const harness = await setup();
      const at = new Date('2026-01-02T03:04:05.678Z');
      await run(
        harness.destination,
        tableSpec('parts', { id: 'integer', conversation_id: 'string' }),
        'merge',
        [
          { id: 1, conversation_id: 'x' },
          { id: 2, conversation_id: 'y' },
        ],
      );
      // id widened to text; the writer's spec no longer names conversation_id.
      const writer = await harness.destination.prepare(tableSpec('parts', { id: 'string' }), 'merge');
      await writer.delete(
        [
          { match: { id: 1 }, at },
          { match: { conversation_id: 'y' }, at: new Date(0) },
        ],
        { hard: false },
        { d: 1 },
      );
      await writer.finish(undefined);
      expect((await harness.readRows('parts')).sort(byId)).toEqual([
        { id: '1', conversation_id: 'x', _deleted_at: at },
        { id: '2', conversation_id: 'y', _deleted_at: new Date(0) },
      ]);
    });
  });

  describe('several destinations on one schema', () => {
    it('open and prepare the same tables at once without failing', async () => {
      const schema = uniqueSchemaName();
      const client = await connectTestClient();
      const destinations = Array.from({ length: 4 }, () =>
        createPostgresDestination({ connectionString: POSTGRES_TEST_URI, schema, maxConnections: 3 }),
      );
      onTestFinished(async () => {
        await Promise.all(destinations.map((destination) => destination.close()));
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      });
      await Promise.all(destinations.map((destination) => destination.open()));
      await Promise.all(
        destinations.map(async (destination, index) => {
          for (const table of ['a', 'b', 'c']) {
            const writer = await destination.prepare(
              tableSpec(table, { id: 'integer', [`from_${index}`]: 'string' }),
              index % 2 === 0 ? 'merge' : 'append',
            );
            await writer.commit([{ id: index * 10 + 1, [`from_${index}`]: 'x' }], { index });
            await writer.finish(undefined);
          }
        }),
      );
      for (const table of ['a', 'b', 'c'])
        expect(await readPostgresRows(client, schema, table)).toHaveLength(4);
    });

    it('leave each other’s replace runs alone until their destination is gone', async () => {
      const harness = await setup();
      const spec = tableSpec('teams', { id: 'integer' });
      await run(harness.destination, spec, 'replace', [{ id: 1 }]);
      const running = await harness.destination.prepare(spec, 'replace');
      await running.commit([{ id: 2 }], { run: 2 });

      // Another destination opens and replaces another table: the running run survives.
      const other = createPostgresDestination({
        connectionString: POSTGRES_TEST_URI,
        schema: harness.schema,
      });
      onTestFinished(() => other.close());
      await other.open();
      await run(other, tableSpec('others', { id: 'integer' }), 'replace', [{ id: 9 }]);
      await running.finish(undefined);
      expect(await harness.readRows('teams')).toEqual([{ id: 2 }]);

      // A run whose destination closed without finishing is discarded by the next open.
      const abandoned = await other.prepare(spec, 'replace');
      await abandoned.commit([{ id: 3 }], { run: 3 });
      await other.close();
      const runs = (schema: string) =>
        harness.client
          .query(`SELECT count(*)::int AS n FROM "${schema}"._intercom_sync_replace_runs`)
          .then((r) => r.rows[0]?.n);
      expect(await runs(harness.schema)).toBe(1);
      const reopened = await harness.reopen();
      await reopened.open();
      expect(await runs(harness.schema)).toBe(0);
      const staging = await harness.client.query(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename LIKE '\\_intercom\\_sync\\_staging\\_%'`,
        [harness.schema],
      );
      expect(staging.rows[0]?.n).toBe(0);
      expect(await harness.readRows('teams')).toEqual([{ id: 2 }]);
    });
  });

  describe('connection errors', () => {
    it('unreachable server: names host, port and database, never the password', async () => {
      const config = testConfig({ host: '127.0.0.1', port: 1, password: SECRET });
      const destination = createPostgresDestination({ config });
      const error = await failureOf(destination.open());
      expect(error).toBeInstanceOf(PostgresDestinationError);
      expect((error as PostgresDestinationError).failure).toBe('unreachable');
      expect((error as Error).message).toBe(
        `Cannot connect to PostgreSQL at 127.0.0.1:1 (database ${JSON.stringify(config.database)}): the connection was refused (ECONNREFUSED); check that the server is running and accepts TCP connections on port 1.`,
      );
      expect(destination.description).not.toContain(SECRET);
      expectNoSecret(error);
      await destination.close();
    });

    it('a server that never answers: gives up after the connect timeout', async () => {
      // A TCP listener that accepts connections and says nothing.
      const silent = createServer(() => undefined);
      const sockets = new Set<Socket>();
      silent.on('connection', (socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      onTestFinished(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      });
      const port = (silent.address() as AddressInfo).port;
      const config = testConfig({ host: '127.0.0.1', port, connectTimeoutSeconds: 1, password: SECRET });
      const started = Date.now();
      const error = await failureOf(createPostgresDestination({ config }).open());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((error as PostgresDestinationError).failure).toBe('timeout');
      expect((error as Error).message).toBe(
        `Cannot connect to PostgreSQL at 127.0.0.1:${port} (database "${config.database}"): no answer within 1 second; check the host, the port and any firewall in between.`,
      );
      expectNoSecret(error);
    });

    it('missing database (3D000)', async () => {
      const database = `no_such_db_${randomBytes(3).toString('hex')}`;
      // The marker stands in for a password unless the test server needs its real one.
      const config = testConfig({
        database,
        password: parsePostgresUri(POSTGRES_TEST_URI).password ?? SECRET,
      });
      const error = await failureOf(createPostgresDestination({ config }).open());
      expect((error as PostgresDestinationError).code).toBe('3D000');
      expect((error as PostgresDestinationError).failure).toBe('database-missing');
      expect((error as Error).message).toBe(
        `PostgreSQL at ${config.host}:${config.port} (database "${database}") has no database "${database}"; create it or correct the database name in the URI.`,
      );
      expectNoSecret(error);
    });

    it('unknown role (28000, or 28P01 where the server asks for a password first)', async () => {
      // The local server trusts 127.0.0.1, so a wrong password cannot be produced there (the unit
      // test of the mapping covers 28P01); a role that does not exist is refused with 28000.
      const user = `no_such_role_${randomBytes(3).toString('hex')}`;
      const config = testConfig({ user, password: SECRET });
      const error = await failureOf(createPostgresDestination({ config }).open());
      expect(['28000', '28P01']).toContain((error as PostgresDestinationError).code);
      expect((error as PostgresDestinationError).failure).toBe('authentication');
      const at = `${config.host}:${config.port} (database "${config.database}")`;
      expect((error as Error).message.startsWith(`PostgreSQL at ${at} `)).toBe(true);
      expect((error as Error).message).toMatch(
        /(refused user "no_such_role_\w+" \(.*\); check the user name|rejected the password of user "no_such_role_\w+")/,
      );
      expectNoSecret(error);
    });

    it('a role that may not create the schema (42501)', async () => {
      const admin = await connectTestClient();
      const role = `intercom_sync_nocreate_${randomBytes(3).toString('hex')}`;
      const schema = uniqueSchemaName();
      // With a password, so that a server asking for one (INTERCOM_SYNC_TEST_PG) lets the role in.
      await admin.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${SECRET}'`);
      onTestFinished(async () => {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.query(`DROP OWNED BY "${role}"`);
        await admin.query(`DROP ROLE IF EXISTS "${role}"`);
        await admin.end();
      });
      const config = testConfig({ user: role, password: SECRET });
      const error = await failureOf(createPostgresDestination({ config, schema }).open());
      expect((error as PostgresDestinationError).code).toBe('42501');
      expect((error as PostgresDestinationError).failure).toBe('permission');
      expect((error as Error).message).toBe(
        `Cannot create schema "${schema}" in database "${config.database}" at ${config.host}:${config.port}: user "${role}" lacks the CREATE privilege on the database; create the schema beforehand (CREATE SCHEMA "${schema}" AUTHORIZATION "${role}") or GRANT CREATE ON DATABASE to that user.`,
      );
      expectNoSecret(error);

      // Once an administrator creates the schema for the role, it opens and loads.
      await admin.query(`CREATE SCHEMA "${schema}" AUTHORIZATION "${role}"`);
      const destination = createPostgresDestination({ config, schema });
      onTestFinished(() => destination.close());
      await destination.open();
      await run(destination, tableSpec('t', { id: 'integer' }), 'merge', [{ id: 1 }], { ok: 1 });
      expect(await destination.readState()).toEqual(new Map([['t', { ok: 1 }]]));
    });

    it.skipIf(serverHasTls)(
      'sslmode: prefer falls back to plaintext, require refuses a server without TLS',
      async () => {
        const schema = uniqueSchemaName();
        const admin = await connectTestClient();
        onTestFinished(async () => {
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await admin.end();
        });
        const prefer = createPostgresDestination({ config: testConfig({ sslMode: 'prefer' }), schema });
        onTestFinished(() => prefer.close());
        await prefer.open();
        await run(prefer, tableSpec('t', { id: 'integer' }), 'append', [{ id: 1 }]);
        expect(await readPostgresRows(admin, schema, 't')).toEqual([{ id: 1 }]);

        const require = createPostgresDestination({
          config: testConfig({ sslMode: 'require', password: SECRET }),
        });
        const error = await failureOf(require.open());
        expect((error as PostgresDestinationError).failure).toBe('ssl');
        expect((error as Error).message).toMatch(
          /does not accept TLS connections, which sslmode=require demands/,
        );
        expectNoSecret(error);
      },
    );

    it('refuses to work before open and after close, naming the destination', async () => {
      const destination = createPostgresDestination({
        connectionString: POSTGRES_TEST_URI,
        schema: uniqueSchemaName(),
      });
      await expect(destination.readState()).rejects.toThrow(
        /readState failed for postgresql:\/\/.*: call open\(\) first/,
      );
      await destination.close();
      await expect(destination.open()).rejects.toThrow(/the destination is closed/);
    });
  });
});
