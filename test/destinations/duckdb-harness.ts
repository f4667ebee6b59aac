import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Destination, Row } from '../../src/destinations/destination.js';
import {
  createDuckDbDestination,
  findTable,
  listColumns,
  type SchemaRef,
} from '../../src/destinations/duckdb/index.js';
import { qualifiedName, quoteIdentifier } from '../../src/destinations/duckdb/sql.js';
import type { DestinationHarness } from './conformance.js';

/**
 * All rows of the table whose logical name is `table`, keyed by logical column names, with BIGINT
 * as number when safe, TIMESTAMPTZ as Date and JSON parsed. Reads through its own connection, so it
 * sees only what is committed.
 */
export async function readDuckDbRows(
  connection: DuckDBConnection,
  schemaName: string,
  table: string,
): Promise<Row[]> {
  const current = await connection.runAndReadAll('SELECT current_database()');
  const schema: SchemaRef = { catalog: String(current.getRows()[0][0]), schema: schemaName };
  const found = await findTable(connection, schema, table);
  if (found === undefined) return [];
  const columns = await listColumns(connection, schema, found.physical);
  const reader = await connection.runAndReadAll(
    `SELECT ${columns.map((column) => quoteIdentifier(column.physical)).join(', ')} FROM ${qualifiedName(schema, found.physical)}`,
  );
  return reader.getRowsJS().map((values) => {
    const row: Row = {};
    columns.forEach((column, index) => {
      const value = values[index];
      if (value === null || value === undefined) row[column.logical] = null;
      else if (column.dataType === 'JSON' && typeof value === 'string')
        row[column.logical] = JSON.parse(value);
      else if (typeof value === 'bigint' && Number.isSafeInteger(Number(value)))
        row[column.logical] = Number(value);
      else row[column.logical] = value;
    });
    return row;
  });
}

/**
 * A temporary DuckDB file for one test. The destination is given the instance (as an embedding
 * application could), so that `readRows` can read the same database through a second connection;
 * that connection only reads, so the destination is told it is the sole writer (as it is when it
 * opens the file itself), and the suite runs the key-tracking paths.
 */
export async function createDuckDbHarness(
  schema = 'intercom',
): Promise<DestinationHarness & { path: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'intercom-sync-duckdb-'));
  const path = join(directory, 'intercom.duckdb');
  let instance = await DuckDBInstance.create(path);
  let reader = await instance.connect();
  let destination: Destination = createDuckDbDestination({ path, schema, instance, soleWriter: true });

  const closeAll = async (): Promise<void> => {
    await destination.close();
    reader.closeSync();
    instance.closeSync();
  };

  return {
    path,
    destination,
    readRows: (table) => readDuckDbRows(reader, schema, table),
    async reopen() {
      await closeAll();
      instance = await DuckDBInstance.create(path);
      reader = await instance.connect();
      destination = createDuckDbDestination({ path, schema, instance, soleWriter: true });
      return destination;
    },
    async cleanup() {
      await closeAll();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
