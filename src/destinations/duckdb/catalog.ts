import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, type SchemaRef } from './sql.js';

/**
 * Physical names in DuckDB's catalog.
 *
 * DuckDB matches identifiers case-insensitively even when quoted (ASCII letters only: `É` and `é`
 * stay distinct), so `CamelCase` and `camelcase` cannot both be columns of one table. The
 * destination therefore keeps a logical name (the spec's, exact) apart from the physical one:
 * they are equal unless the logical name collides, in which case the physical name gets a suffix
 * (`camelcase_2`) and the table or column carries a comment recording its logical name. The
 * comment lives in the catalog next to the object, so it survives ALTER and RENAME and commits
 * or rolls back with them.
 */

/** Every table the destination creates for itself starts with this; streams may not use it. */
export const INTERNAL_TABLE_PREFIX = '_intercom_sync_';
/** `(stream VARCHAR PRIMARY KEY, state JSON, updated_at TIMESTAMPTZ)` */
export const STATE_TABLE = '_intercom_sync_state';
/** One row per replace run in progress: its staging table, target, and the state to commit at finish. */
export const REPLACE_RUNS_TABLE = '_intercom_sync_replace_runs';
/** Per-run staging tables of replace mode: `_intercom_sync_staging_<random>`. */
export const STAGING_TABLE_PREFIX = '_intercom_sync_staging_';

const COMMENT_KEY = 'intercom_sync_name';

/** How DuckDB compares identifiers: ASCII letters case-insensitively, everything else exactly. */
export function foldIdentifier(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** The comment recording a logical name on a renamed table or column. */
export function logicalNameComment(logical: string): string {
  return JSON.stringify({ [COMMENT_KEY]: logical });
}

/** The logical name recorded in a comment, if the comment is one of ours. */
export function logicalNameFromComment(comment: string | null): string | undefined {
  if (comment === null || !comment.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(comment);
    if (typeof parsed === 'object' && parsed !== null && COMMENT_KEY in parsed) {
      const name: unknown = (parsed as Record<string, unknown>)[COMMENT_KEY];
      return typeof name === 'string' ? name : undefined;
    }
  } catch {
    // Someone else's comment: the object's logical name is its physical name.
  }
  return undefined;
}

/**
 * A physical name for `logical` that does not collide with `taken` (folded names): the logical name
 * itself when free, else `<logical>_2`, `<logical>_3`, ...
 */
export function allocatePhysicalName(logical: string, taken: ReadonlySet<string>): string {
  if (!taken.has(foldIdentifier(logical))) return logical;
  for (let suffix = 2; ; suffix++) {
    const candidate = `${logical}_${suffix}`;
    if (!taken.has(foldIdentifier(candidate))) return candidate;
  }
}

export interface CatalogTable {
  physical: string;
  logical: string;
}

export interface CatalogColumn {
  physical: string;
  logical: string;
  /** As `duckdb_columns().data_type` spells it, e.g. `BIGINT`, `TIMESTAMP WITH TIME ZONE`, `JSON`. */
  dataType: string;
}

function asString(value: unknown): string {
  if (typeof value !== 'string')
    throw new TypeError(`Expected a string from the DuckDB catalog, got ${typeof value}`);
  return value;
}

function asNullableString(value: unknown): string | null {
  return value === null ? null : asString(value);
}

/** The tables of the schema, with their logical names. */
export async function listTables(connection: DuckDBConnection, ref: SchemaRef): Promise<CatalogTable[]> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name, comment FROM duckdb_tables()
     WHERE database_name = $1 AND schema_name = $2 ORDER BY table_name`,
    [ref.catalog, ref.schema],
  );
  return reader.getRows().map(([name, comment]) => {
    const physical = asString(name);
    return { physical, logical: logicalNameFromComment(asNullableString(comment)) ?? physical };
  });
}

/** The columns of a table (physical name), in table order, with their logical names. */
export async function listColumns(
  connection: DuckDBConnection,
  ref: SchemaRef,
  table: string,
): Promise<CatalogColumn[]> {
  const reader = await connection.runAndReadAll(
    `SELECT column_name, data_type, comment FROM duckdb_columns()
     WHERE database_name = $1 AND schema_name = $2 AND table_name = $3
     ORDER BY column_index`,
    [ref.catalog, ref.schema, table],
  );
  return reader.getRows().map(([name, dataType, comment]) => {
    const physical = asString(name);
    return {
      physical,
      logical: logicalNameFromComment(asNullableString(comment)) ?? physical,
      dataType: asString(dataType),
    };
  });
}

/** The stream table whose logical name is exactly `logical`, if it exists. */
export async function findTable(
  connection: DuckDBConnection,
  ref: SchemaRef,
  logical: string,
): Promise<CatalogTable | undefined> {
  const tables = await listTables(connection, ref);
  return tables.find(
    (table) => table.logical === logical && !foldIdentifier(table.physical).startsWith(INTERNAL_TABLE_PREFIX),
  );
}

/**
 * Creates the schema in the connection's current database if needed, and returns how the catalog
 * names both (schemas match case-insensitively too, so `Intercom` finds an existing `intercom`).
 */
export async function ensureSchema(connection: DuckDBConnection, schema: string): Promise<SchemaRef> {
  const current = await connection.runAndReadAll('SELECT current_database()');
  const catalog = asString(current.getRows()[0]?.[0]);
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(catalog)}.${quoteIdentifier(schema)}`);
  const reader = await connection.runAndReadAll(
    'SELECT schema_name FROM duckdb_schemas() WHERE database_name = $1',
    [catalog],
  );
  const folded = foldIdentifier(schema);
  for (const [name] of reader.getRows()) {
    if (typeof name === 'string' && foldIdentifier(name) === folded) return { catalog, schema: name };
  }
  return { catalog, schema };
}
