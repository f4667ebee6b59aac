import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Destination, Row } from '../../src/destinations/destination.js';
import {
  createFileDestination,
  type FileDestinationOptions,
  latestViewSql,
  readTableManifest,
} from '../../src/destinations/files/index.js';
import type { DestinationHarness } from './conformance.js';

/**
 * What a reader of the documented latest view sees: the rows of `latestViewSql(root, table)` run
 * by DuckDB (`read_parquet`/`read_json` over the table's current files, the last row per key for a
 * merge table, deletions applied), keyed by logical column names, with BIGINT as number when safe
 * and JSON parsed. A table without files reads as no rows.
 */
export async function readFileRows(
  connection: DuckDBConnection,
  root: string,
  table: string,
): Promise<Row[]> {
  const manifest = await readTableManifest(root, table);
  if (manifest === undefined) return [];
  const reader = await connection.runAndReadAll(await latestViewSql(root, table));
  const byPhysical = new Map(manifest.columns.map((column) => [column.physical, column]));
  const names = reader.columnNames();
  return reader.getRowsJS().map((values) => {
    const row: Row = {};
    names.forEach((name, index) => {
      const column = byPhysical.get(name);
      const value = values[index];
      const key = column?.name ?? name;
      if (value === null || value === undefined) row[key] = null;
      else if (column?.type === 'json' && typeof value === 'string') row[key] = JSON.parse(value);
      else if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) row[key] = Number(value);
      else row[key] = value;
    });
    return row;
  });
}

/**
 * A temporary root for one test. `readRows` reads through a DuckDB instance of its own, as an
 * outside reader of the lake would.
 */
export async function createFileHarness(
  options: Omit<FileDestinationOptions, 'root'>,
): Promise<DestinationHarness & { root: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'intercom-sync-files-'));
  const root = join(directory, 'lake');
  const instance = await DuckDBInstance.create(':memory:');
  const reader = await instance.connect();
  let destination: Destination = createFileDestination({ ...options, root });
  return {
    root,
    destination,
    readRows: (table) => readFileRows(reader, root, table),
    async reopen() {
      await destination.close();
      destination = createFileDestination({ ...options, root });
      return destination;
    },
    async cleanup() {
      await destination.close();
      reader.closeSync();
      instance.closeSync();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
