import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Destination, Row } from '../../src/destinations/destination.js';
import {
  createPostgresDestination,
  findTable,
  listColumns,
  type PostgresDestinationOptions,
  parsePostgresUri,
  pgClientConfig,
  readSslFiles,
  type SqlRunner,
  sslOptions,
} from '../../src/destinations/postgres/index.js';
import type { DestinationHarness } from './conformance.js';

/** The server the tests use: `INTERCOM_SYNC_TEST_PG`, else the local one with trust auth. */
export const POSTGRES_TEST_URI =
  process.env.INTERCOM_SYNC_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/test';

export const HOW_TO_RUN_POSTGRES_TESTS =
  'start PostgreSQL on 127.0.0.1:5432 with trust auth and a database named test, or set INTERCOM_SYNC_TEST_PG=postgres://…';

/** A `pg` client on `uri` (its sslmode honoured as the destination does, without the prefer fallback). */
export async function connectTestClient(uri = POSTGRES_TEST_URI): Promise<Client> {
  const config = parsePostgresUri(uri);
  const client = new Client(pgClientConfig(config, sslOptions(config.sslMode, await readSslFiles(config))));
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Undefined when PostgreSQL answers at `uri`, else why not (pg's message, which never holds the password). */
export async function probePostgres(uri = POSTGRES_TEST_URI): Promise<string | undefined> {
  let client: Client | undefined;
  try {
    client = await connectTestClient(uri);
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/**
 * Why PostgreSQL is unreachable for a test file (`undefined` when it is reachable), for
 * `describe.skipIf`. In CI (`CI=true`) an unreachable server fails the file instead: every test
 * must run there.
 */
export async function postgresUnavailable(): Promise<string | undefined> {
  const unavailable = await probePostgres();
  if (unavailable !== undefined && process.env.CI === 'true') {
    throw new Error(
      `PostgreSQL is required in CI but not reachable (${unavailable}); ${HOW_TO_RUN_POSTGRES_TESTS}.`,
    );
  }
  return unavailable;
}

/** A `SqlRunner` over a test's own client. */
export function runnerOf(client: Client): SqlRunner {
  return {
    query: async (sql, params) =>
      (await client.query(sql, params === undefined ? undefined : [...params])).rows as Record<
        string,
        unknown
      >[],
  };
}

/** A schema name no other test uses. */
export function uniqueSchemaName(prefix = 'intercom_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * All rows of the table whose logical name is `table`, keyed by logical column names: bigint as
 * number when safe (else bigint), timestamptz as Date, jsonb parsed (pg's defaults for the last
 * two). Reads through the test's own connection, so it sees only what is committed.
 */
export async function readPostgresRows(client: Client, schema: string, table: string): Promise<Row[]> {
  const runner = runnerOf(client);
  const found = await findTable(runner, schema, table);
  if (found === undefined) return [];
  const columns = await listColumns(runner, schema, found.physical);
  const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
  const result = await client.query({
    text: `SELECT ${columns.map((column) => quote(column.physical)).join(', ')} FROM ${quote(schema)}.${quote(found.physical)}`,
    rowMode: 'array',
  });
  return (result.rows as unknown[][]).map((values) => {
    const row: Row = {};
    columns.forEach((column, index) => {
      const value = values[index];
      if (value === null || value === undefined) row[column.logical] = null;
      else if (column.sqlType === 'bigint' && typeof value === 'string') {
        const integer = BigInt(value);
        row[column.logical] = Number.isSafeInteger(Number(integer)) ? Number(integer) : integer;
      } else row[column.logical] = value;
    });
    return row;
  });
}

export interface PostgresHarness extends DestinationHarness {
  schema: string;
  /** The test's own connection (for inspecting the catalog). */
  client: Client;
}

/**
 * A fresh schema for one test, dropped by `cleanup`. `options` are passed to every destination the
 * harness creates.
 */
export async function createPostgresHarness(
  options: Partial<Pick<PostgresDestinationOptions, 'onStatement' | 'maxConnections'>> = {},
  uri = POSTGRES_TEST_URI,
): Promise<PostgresHarness> {
  const schema = uniqueSchemaName();
  const client = await connectTestClient(uri);
  const create = (): Destination => createPostgresDestination({ connectionString: uri, schema, ...options });
  let destination = create();
  return {
    schema,
    client,
    get destination() {
      return destination;
    },
    readRows: (table) => readPostgresRows(client, schema, table),
    async reopen() {
      await destination.close();
      destination = create();
      return destination;
    },
    async cleanup() {
      await destination.close();
      await client.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
      await client.end();
    },
  };
}
